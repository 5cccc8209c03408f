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

step "pytest: unit, emulator fidelity and integration tests"
python -m pytest tests -q -p no:cacheprovider

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
