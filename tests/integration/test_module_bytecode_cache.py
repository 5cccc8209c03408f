"""Real module runs (AnsiballZ zips from ansible-playbook, over the emulator) keep the compiled
module_utils in the user's cache dir and load them from there on the next run."""
from __future__ import annotations

import stat

from tests.integration.harness import run_playbook

PLAYBOOK = """- name: Two modules
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read a user
      cipp.cipp.user_info:
        tenant: contoso.com
        upn: megan.bowen@contoso.com
      register: megan
    - name: Converge the same user (nothing to change)
      cipp.cipp.user:
        tenant: contoso.com
        user_principal_name: megan.bowen@contoso.com
        display_name: "{{ megan.users[0].displayName }}"
      register: again
    - name: Nothing changed
      ansible.builtin.assert:
        that: [not again.changed]
"""


def entries(cache_home):
    directory = cache_home / "cipp.cipp" / "bytecode"
    return {p.name: p.stat() for p in directory.iterdir()} if directory.is_dir() else {}


def test_second_run_loads_what_the_first_compiled(emu, tmp_path, token_cache):
    playbook = tmp_path / "two.yml"
    playbook.write_text(PLAYBOOK)
    home = tmp_path / "xdg"
    first = run_playbook(emu, str(playbook), env={"XDG_CACHE_HOME": str(home)}, token_cache=token_cache)
    assert first.rc == 0, first.output
    written = entries(home)
    assert len(written) >= 15, sorted(written)  # the user module alone pulls in about twenty module_utils
    assert stat.S_IMODE((home / "cipp.cipp" / "bytecode").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "cipp.cipp").stat().st_mode) == 0o700  # where the default token cache lives
    assert all(stat.S_IMODE(info.st_mode) == 0o600 for info in written.values())
    second = run_playbook(emu, str(playbook), env={"XDG_CACHE_HOME": str(home)}, token_cache=token_cache)
    assert second.rc == 0, second.output
    after = entries(home)
    assert after.keys() == written.keys()
    # A hit reads the entry and writes nothing: every file is still the one the first run wrote.
    assert all((after[name].st_ino, after[name].st_mtime_ns) == (info.st_ino, info.st_mtime_ns)
               for name, info in written.items())


def test_switched_off_the_modules_write_no_cache(emu, tmp_path, token_cache):
    playbook = tmp_path / "two.yml"
    playbook.write_text(PLAYBOOK)
    home = tmp_path / "xdg"
    done = run_playbook(emu, str(playbook), env={"XDG_CACHE_HOME": str(home), "CIPP_BYTECODE_CACHE": "off"},
                        token_cache=token_cache)
    assert done.rc == 0, done.output
    assert not (home / "cipp.cipp" / "bytecode").exists()
