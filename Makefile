# glueguard — every command a developer or CI needs. `make test` and `make demo` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
# checkov pins versions that conflict with cloudsplaining's: it gets a venv of its own (requirements/checkov.txt).
CHECKOV_VENV := .tools/checkov
TEMPLATES := template.yaml $(wildcard templates/*.yaml)
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export SAM_CLI_TELEMETRY := 0

.PHONY: venv test test-fast lint unit pytest validate checkov build asl demo bench clean

venv: $(VENV)/.stamp $(SAM_VENV)/.stamp $(CHECKOV_VENV)/.stamp node_modules/.stamp

$(VENV)/.stamp: requirements/dev.txt layers/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(SAM_VENV)/.stamp: requirements/sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q -r requirements/sam.txt
	touch $@

$(CHECKOV_VENV)/.stamp: requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q -r requirements/checkov.txt
	touch $@

node_modules/.stamp: package.json
	npm install --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

# Every failing check is fixed, or skipped next to its resource with a one-line reason (docs/security.md).
checkov: $(CHECKOV_VENV)/.stamp
	$(CHECKOV_VENV)/bin/checkov $(addprefix -f ,$(TEMPLATES)) --framework cloudformation --skip-download --compact --quiet

asl: node_modules/.stamp
	@for f in statemachines/*.asl.json; do [ -e "$$f" ] || continue; \
		echo "asl-validator $$f"; npx --no-install asl-validator --json-path "$$f" || exit 1; done

build: $(SAM_VENV)/.stamp
	$(SAM) build --parallel

test: venv lint validate checkov asl build pytest

demo: venv
	$(BIN)/python -m glueguard_dev.demo

bench: venv
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .tools .aws-sam node_modules
