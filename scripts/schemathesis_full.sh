#!/usr/bin/env bash
# The full schemathesis run over every operation (all phases, stateful included, 50 examples per
# operation) as an anonymous caller, a stakeholder's API key and the secretariat's API key
# (tests/api/test_contract_full.py; `make test` runs only the bounded tests/api/test_contract.py).
# Each caller's report is kept in SCHEMATHESIS_OUTPUT (default: $TMPDIR/schemathesis-report).
# Usage: scripts/schemathesis_full.sh [pytest options, e.g. -k stakeholder]
set -euo pipefail
cd "$(dirname "$0")/.."
export SCHEMATHESIS_FULL=1
export SCHEMATHESIS_OUTPUT="${SCHEMATHESIS_OUTPUT:-${TMPDIR:-/tmp}/schemathesis-report}"
exec .venv/bin/pytest -p no:cacheprovider -s -rA tests/api/test_contract_full.py "$@"
