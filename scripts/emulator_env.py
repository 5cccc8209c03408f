"""Print shell ``export`` lines with the CIPP_* variables for one emulator client.

Usage: python scripts/emulator_env.py INFO_FILE [CLIENT]   (CLIENT defaults to editor)
The variables are the ones an AWX credential of the cipp.cipp type injects.
"""
import json
import shlex
import sys


def main() -> int:
    info = json.load(open(sys.argv[1], encoding="utf-8"))
    client = info["clients"][sys.argv[2] if len(sys.argv) > 2 else "editor"]
    values = {
        "CIPP_API_URL": info["api_url"],
        "CIPP_TENANT_ID": info["tenant_id"],
        "CIPP_CLIENT_ID": client["client_id"],
        "CIPP_CLIENT_SECRET": client["client_secret"],
        "CIPP_AUTHORITY": info["authority"],
        "CIPP_CA_PATH": info["ca_file"],
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
