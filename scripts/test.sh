#!/usr/bin/env bash
# Runs every test of the collection from a fresh clone:
#   unit tests, emulator fidelity tests, integration tests (modules, lookups and playbooks
#   over the bundled CIPP + Entra ID emulator), ansible-test sanity, ansible-lint
#   (production profile), the changelog lint and ansible-galaxy collection build.
# Any failure, including pytest collecting no test (exit 5), fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
./scripts/bootstrap.sh
export PATH="$root/.venv/bin:$PATH"
step() { echo; echo "==> $* ($((SECONDS - started))s)"; }

# Two pytest sessions side by side (each with its own emulators and temp dir): most of the time
# goes to ansible-playbook runs that keep one core busy, so two at a time use a 2-core runner.
# The reliability suite stays whole in one session: it writes docs/reliability.md at its end.
step "pytest: unit, emulator fidelity and integration tests (two sessions in parallel)"
second=(tests/reliability tests/integration/test_roles.py tests/integration/test_exchange_playbooks.py)
ignored=()
for path in "${second[@]}"; do ignored+=("--ignore=$path"); done
scratch="$(mktemp -d "${TMPDIR:-/tmp}/cipp-pytest.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
python -m pytest "${second[@]}" -q -p no:cacheprovider --basetemp "$scratch/b" >"$scratch/second.log" 2>&1 &
second_pid=$!
first_rc=0
python -m pytest tests "${ignored[@]}" -q -p no:cacheprovider --basetemp "$scratch/a" || first_rc=$?
second_rc=0
wait "$second_pid" || second_rc=$?
echo; echo "--- pytest: ${second[*]}"
cat "$scratch/second.log"
if [ "$first_rc" -ne 0 ] || [ "$second_rc" -ne 0 ]; then
  echo "pytest failed (exit codes $first_rc and $second_rc; 5 means no test was collected)" >&2
  exit 1
fi

step "ansible-test sanity"
./scripts/sanity.sh

step "ansible-lint (production profile)"
ANSIBLE_COLLECTIONS_PATH="$(python -c 'from tests import collection_path; print(collection_path.ensure())')" \
  ansible-lint --offline

step "antsibull-changelog lint"
antsibull-changelog lint

step "ansible-galaxy collection build"
mkdir -p .tmp/dist
ansible-galaxy collection build --force --output-path .tmp/dist

step "all checks passed"
