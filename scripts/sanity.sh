#!/usr/bin/env bash
# ansible-test sanity on a copy of the tracked files laid out as ansible_collections/cipp/cipp
# (ansible-test needs that layout; the repository root is the collection root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mkdir -p "$root/.tmp"
# A fresh copy per run (concurrent runs must not share one), removed afterwards.
copy_root=$(mktemp -d "$root/.tmp/sanity.XXXXXX")
trap 'rm -rf "$copy_root"' EXIT
work="$copy_root/ansible_collections/cipp/cipp"
mkdir -p "$work"
# Tracked files plus new files not ignored: what a commit of this tree would hold.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  mkdir -p "$work/$(dirname "$f")"
  cp -p "$f" "$work/$f"
done
# ansible-test installs its pinned sanity tools (pylint, voluptuous, ...) into the Python it
# runs with; a venv of its own keeps them apart from ansible-lint's in .venv.
venv="$root/.tmp/venv-sanity"
if [ ! -x "$venv/bin/ansible-test" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$(grep -E '^ansible-core' "$root/requirements-test.txt")" \
    -r "$root/requirements.txt"
fi
# ansible-test keeps its venvs and pip bootstrap under ~/.ansible/test: give it a HOME in .tmp,
# with the bootstrap stand-in where it looks for its cached download.
export HOME="$root/.tmp/sanity-home"
for version in 24_2 25_0 25_1 25_2 25_3; do
  mkdir -p "$HOME/.ansible/test/cache"
  cp "$root/scripts/ansible_test_get_pip.py" "$HOME/.ansible/test/cache/get_pip_$version.py"
done
# ansible-test runs pip with a pared-down environment, so PIP_* settings this runner relies
# on (a CA bundle for a TLS-inspecting proxy, an index mirror) are carried in a pip.conf.
mkdir -p "$HOME/.config/pip"
{
  echo "[global]"
  ca_bundle=${PIP_CERT:-${REQUESTS_CA_BUNDLE:-${SSL_CERT_FILE:-}}}
  [ -n "$ca_bundle" ] && echo "cert = $ca_bundle"
  [ -n "${PIP_INDEX_URL:-}" ] && echo "index-url = $PIP_INDEX_URL"
  [ -n "${PIP_EXTRA_INDEX_URL:-}" ] && echo "extra-index-url = $PIP_EXTRA_INDEX_URL"
  [ -n "${PIP_FIND_LINKS:-}" ] && echo "find-links = $PIP_FIND_LINKS"
  echo "timeout = ${PIP_DEFAULT_TIMEOUT:-60}"
} > "$HOME/.config/pip/pip.conf"
cd "$work"
git init -q . && git add -A >/dev/null 2>&1
"$venv/bin/ansible-test" sanity --local --requirements --python 3.11 --color no "$@"
