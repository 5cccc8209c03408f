"""Stand-in for the pip bootstrap script ansible-test downloads from its CI file host.

ansible-test creates virtual environments without pip and bootstraps pip with a script it
downloads from a host this project's machines cannot reach. It looks for a cached copy
first (~/.ansible/test/cache/get_pip_<version>.py); scripts/sanity.sh places this file
there, under a HOME inside .tmp/, so the bootstrap uses the standard library's ensurepip
and then pip from the package index instead. It receives pip's own arguments plus the
bootstrap-only flags --no-setuptools/--no-wheel, which pip does not know.
"""
import ensurepip
import os
import subprocess
import sys

BOOTSTRAP_ONLY_FLAGS = {"--no-setuptools", "--no-wheel"}

# ensurepip points PIP_CONFIG_FILE at /dev/null in this process; the real install must see
# the runner's pip configuration (CA bundle, mirrors), so keep the environment from before.
environment = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
arguments = [arg for arg in sys.argv[1:] if arg not in BOOTSTRAP_ONLY_FLAGS]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *arguments], env=environment))
