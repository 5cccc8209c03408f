#!/usr/bin/env bash
# One command: start the bundled emulator, run every scenario x variant with and without 50 ms
# injected latency, print the tables and targets, write benchmarks/results/latest.{json,png}.
#   ./benchmarks/run.sh            full run (about 20-30 minutes on 2 cores)
#   ./benchmarks/run.sh --quick    small sizes, one repetition (a smoke check, ~2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then ./scripts/bootstrap.sh; fi
if ! .venv/bin/python -c "import matplotlib" 2>/dev/null; then
  .venv/bin/python -m pip install -q -r benchmarks/requirements.txt || echo "matplotlib not installed: no PNG chart"
fi
exec .venv/bin/python -m benchmarks "$@"
