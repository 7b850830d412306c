# glueguard — every command a developer or CI needs. `make test` and `make demo` work on a fresh machine.
SHELL := /bin/bash
# The Lambda runtime's Python (template.yaml: python3.13) when this machine has it, else python3 (said below).
LAMBDA_PYTHON := 3.13
PYTHON ?= $(shell for p in python$(LAMBDA_PYTHON) $$HOME/.pyenv/versions/$(LAMBDA_PYTHON)*/bin/python$(LAMBDA_PYTHON) python3; do \
	"$$p" -c '' 2>/dev/null && { command -v "$$p"; break; }; done)
ifeq ($(findstring $(LAMBDA_PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')),)
$(info make: no python$(LAMBDA_PYTHON) here (the Lambda runtime's); using $(PYTHON), and the layer gets no bytecode)
endif
# uv installs every virtual environment (one resolver run each, parallel downloads); it comes from PyPI itself.
UV_VENV := .tools/uv
UV := $(UV_VENV)/bin/uv
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
# checkov pins versions that conflict with cloudsplaining's: it gets a venv of its own (requirements/checkov.txt).
CHECKOV_VENV := .tools/checkov
# Prowler pins its own AWS SDK and dozens of cloud SDKs: a venv of its own (requirements/prowler.txt), for `make scan`.
PROWLER_VENV := .tools/prowler
TEMPLATES := template.yaml $(wildcard templates/*.yaml)
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export SAM_CLI_TELEMETRY := 0

.PHONY: venv test test-deep test-fast lint unit pytest validate checkov build build-sandbox asl demo bench scan clean

venv: $(VENV)/.stamp $(SAM_VENV)/.stamp $(CHECKOV_VENV)/.stamp node_modules/.stamp

$(UV_VENV)/.stamp:
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install -q uv==$(UV_VERSION)
	touch $@

$(VENV)/.stamp: requirements/dev.txt layers/requirements.txt pyproject.toml $(UV_VENV)/.stamp
	$(UV) venv -q --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip install -q --python $(BIN)/python -r requirements/dev.txt
	$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

$(SAM_VENV)/.stamp: requirements/sam.txt $(UV_VENV)/.stamp
	$(UV) venv -q --allow-existing --python $(PYTHON) $(SAM_VENV)
	$(UV) pip install -q --python $(SAM_VENV)/bin/python -r requirements/sam.txt
	touch $@

$(CHECKOV_VENV)/.stamp: requirements/checkov.txt $(UV_VENV)/.stamp
	$(UV) venv -q --allow-existing --python $(PYTHON) $(CHECKOV_VENV)
	$(UV) pip install -q --python $(CHECKOV_VENV)/bin/python -r requirements/checkov.txt
	touch $@

$(PROWLER_VENV)/.stamp: requirements/prowler.txt $(UV_VENV)/.stamp
	$(UV) venv -q --allow-existing --python $(PYTHON) $(PROWLER_VENV)
	$(UV) pip install -q --python $(PROWLER_VENV)/bin/python -r requirements/prowler.txt
	touch $@

node_modules/.stamp: package.json
	npm install --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# pytest-xdist: one worker per core (each e2e worker runs its own sandbox); PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist worksteal --durations=15

pytest: $(VENV)/.stamp
	$(PYTEST)

test-fast: $(VENV)/.stamp node_modules/.stamp
	$(PYTEST) tests/unit tests/integration

validate: $(VENV)/.stamp $(SAM_VENV)/.stamp
	$(SAM) validate --lint
	$(SAM) validate --region us-east-1
	$(BIN)/cfn-lint -a cfn_lint_serverless.rules -- template.yaml
	$(BIN)/cfn-lint -- templates/member.yaml
	$(BIN)/parliament --string "$$(cat policies/member-protection-scp.json)" < /dev/null
	$(BIN)/parliament --string "$$(cat policies/central-protection-scp.json)" < /dev/null

# Every failing check is fixed, or skipped next to its resource with a one-line reason (docs/security.md).
checkov: $(CHECKOV_VENV)/.stamp
	$(CHECKOV_VENV)/bin/checkov $(addprefix -f ,$(TEMPLATES)) --framework cloudformation --skip-download --compact --quiet

asl: node_modules/.stamp
	@for f in statemachines/*.asl.json; do [ -e "$$f" ] || continue; \
		echo "asl-validator $$f"; npx --no-install asl-validator --json-path "$$f" || exit 1; done

# sam build runs the layer's makefile with this machine's python3: put the runtime's Python first, so the
# layer's bytecode is compiled by the Python that will run it (layers/Makefile).
build: $(SAM_VENV)/.stamp
	PATH="$(dir $(PYTHON)):$$PATH" $(SAM) build --parallel

# The same build for this machine's platform (the layer's compiled wheels must load here): what
# `glueguard sandbox up --artifact .aws-sam/sandbox/build` runs, and tests/e2e/test_artifact.py with it.
SANDBOX_BUILD := .aws-sam/sandbox/build
build-sandbox: $(SAM_VENV)/.stamp
	PATH="$(dir $(PYTHON)):$$PATH" LAMBDA_PLATFORM=manylinux2014_$(shell uname -m) \
		$(SAM) build --parallel --build-dir $(SANDBOX_BUILD)

# Each phase timed, the static checks and the build side by side (single-threaded tools on two cores); the table
# of phases is printed at the end, pass or fail (the README keeps the figure).
PHASES := venv lint+validate+checkov+asl+build+build-sandbox pytest
test:
	@bash tools/phases.sh $(MAKE) $(PHASES)

# Long fuzzing, not in CI: random seeds and ten times the examples (tests/support/fuzz.py).
test-deep: $(VENV)/.stamp
	GLUEGUARD_FUZZ=deep $(PYTEST) tests/reliability tests/unit

demo: venv
	$(BIN)/python -m glueguard_sandbox.demo

bench: venv build-sandbox
	$(BIN)/python -m benchmarks.run

# Prowler against a sandbox with one provisioned project (not part of `make test`): every FAIL on the plane's or the
# project's resources fixed or accepted in docs/security.md; the summary goes to docs/prowler-findings.md.
scan: $(VENV)/.stamp $(PROWLER_VENV)/.stamp
	$(BIN)/python -m glueguard_sandbox.scan

clean:
	rm -rf $(VENV) .tools .aws-sam node_modules
