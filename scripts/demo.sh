#!/usr/bin/env bash
# One command from a fresh clone: set everything up, build and install the collection,
# start the bundled CIPP + Entra ID emulator, run playbooks/demo.yml twice (the second run
# must report changed=0), and stop the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
./scripts/bootstrap.sh
export PATH="$root/.venv/bin:$PATH"

work="$root/.tmp/demo"
rm -rf "$work" && mkdir -p "$work/collections"
echo "==> building and installing the collection"
ansible-galaxy collection build --force --output-path "$work" >/dev/null
ansible-galaxy collection install --force --offline -p "$work/collections" "$work"/cipp-cipp-*.tar.gz >/dev/null

echo "==> starting the CIPP emulator"
python -m tests.emulator --fixture default --port 0 --entra-port 0 \
  --info-file "$work/emulator.json" --state-dir "$work/emulator" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$work/emulator.json" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log"; exit 1; }
  sleep 0.1
done
[ -s "$work/emulator.json" ] || { echo "the emulator did not start"; cat "$work/emulator.log"; exit 1; }

# The credentials arrive as environment variables, exactly as an AWX job gets them.
eval "$(python scripts/emulator_env.py "$work/emulator.json" editor)"
export CIPP_TOKEN_CACHE="$work/token-cache/tokens.json"
export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_PYTHON_INTERPRETER="$root/.venv/bin/python"
export ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0

for run in 1 2; do
  echo "==> demo run $run"
  ansible-playbook playbooks/demo.yml | tee "$work/run$run.log"
done
if ! grep -Eq 'changed=0 +unreachable=0 +failed=0' "$work/run2.log"; then
  echo "FAILED: the second run changed something (it must report changed=0)"
  exit 1
fi
echo "==> demo done: the first run converged, the second reported changed=0"
