"""glueguard: the governance library shared by every control-plane Lambda (deployed as a layer).

Pure modules (policy, naming, dpu, models, rules) import no AWS SDK; AWS calls live in `adapters`.
"""

__version__ = "0.1.0"
