"""Bad input for every module, generated from its argument spec: wrong types, missing
required options, unknown options, mutually exclusive options together, empty, 10,000
character and unicode strings, invalid UPNs and addresses, an unknown tenant, AllTenants.

Every case must end without a traceback. Input the spec rejects must fail with a message
naming the option before any request; input only CIPP or the module can judge must either
work or fail cleanly, and a failed task must have written nothing. Modules are listed from
plugins/modules at collection time, so modules added later are covered without a change here.
"""
from __future__ import annotations

import pytest

from tests.reliability import runner, specs
from tests.reliability.specs import (BAD_ADDRESS, BAD_UPN, LONG, UNICODE, UNKNOWN_OPTION, UNKNOWN_TENANT)

pytestmark = pytest.mark.reliability("Bad input")

# Cases that fail today because of a gap in a module, with the gap. strict: a fix turns the
# case into an XPASS failure, so the entry is removed with the fix.
KNOWN_GAPS: dict = {}

CORE_SUBOPTIONS_GAP = ("ansible-core: a string given to a dict option with suboptions fails with 'dictionary "
                       "requested, could not parse JSON or key=value', without the option's name")

SPECS = {name: specs.capture(name) for name in runner.module_names()}
CONNECTION_SUBJECT = "tenant_info" if "tenant_info" in SPECS else sorted(SPECS)[0]


def _spec_cases():
    for name, mspec in SPECS.items():
        yield pytest.param(name, "unknown option", {UNKNOWN_OPTION: "x"}, (), [UNKNOWN_OPTION],
                           id=f"{name}-unknown_option")
        own = mspec.own_options if name != CONNECTION_SUBJECT else mspec.spec
        for option, entry in own.items():
            if entry.get("required"):
                yield pytest.param(name, "missing required option", {}, (option,), mspec.names(option),
                                   id=f"{name}-missing-{option}")
            bad = specs.wrong_type(entry)
            if bad is not None:
                marks = [pytest.mark.xfail(reason=CORE_SUBOPTIONS_GAP, strict=True)] \
                    if entry.get("type") == "dict" and entry.get("options") else []
                yield pytest.param(name, "wrong type or invalid choice", {option: bad}, (), mspec.names(option),
                                   id=f"{name}-wrong_type-{option}", marks=marks)
            for sub, sub_entry in (entry.get("options") or {}).items():
                bad = specs.wrong_type(sub_entry)
                if bad is not None and entry.get("type") == "dict":
                    value = dict(specs.sample(option, entry), **{sub: bad})
                    yield pytest.param(name, "wrong type or invalid choice", {option: value}, (), [sub],
                                       id=f"{name}-wrong_type-{option}.{sub}")
        for group in mspec.kwargs.get("required_one_of") or []:
            yield pytest.param(name, "missing required option", {}, tuple(group), list(group),
                               id=f"{name}-missing_one_of-{'_'.join(group)}")
        for group in mspec.kwargs.get("mutually_exclusive") or []:
            values = {o: specs.sample(o, mspec.spec[o]) for o in group}
            yield pytest.param(name, "mutually exclusive options together", values, (), list(group),
                               id=f"{name}-exclusive-{'_'.join(group)}")


@pytest.mark.parametrize(("name", "kind", "changes", "drop", "named"), list(_spec_cases()))
def test_spec_rejects_before_any_request(emulator, conn_shared, name, kind, changes, drop, named):
    """Input the argument spec rejects: fails naming the option, no traceback, no request sent"""
    mspec = SPECS[name]
    params = specs.base_params(mspec, conn_shared)
    assert specs.validate(mspec, params) == [], f"the generated base arguments of {name} are invalid"
    params.update(changes)
    for option in drop:
        for alias in mspec.names(option):
            params.pop(alias, None)
    before = emulator.control.last_seq()
    run = runner.run_module(name, params)
    assert run.traceback is None, run.describe()
    assert run.failed, run.describe()
    assert any(n in run.msg for n in named), (kind, named, run.msg)
    assert emulator.control.last_seq() == before, "a request was sent for input the spec rejects"


def _param(name, kind, option, value, case_id):
    marks = [pytest.mark.xfail(reason=KNOWN_GAPS[case_id], strict=True)] if case_id in KNOWN_GAPS else []
    return pytest.param(name, kind, option, value, id=case_id, marks=marks)


def _value_cases():
    for name, mspec in SPECS.items():
        for option in specs.text_options(mspec):
            entry = mspec.spec[option]
            for label, value in (("empty string", ""), ("10k-character string", LONG), ("unicode", UNICODE)):
                if entry.get("type") == "list":
                    value = [value]
                yield _param(name, label, option, value, f"{name}-{label.split()[0]}-{option}")
            if specs.is_upn_option(option, entry):
                yield _param(name, "invalid UPN", option, [BAD_UPN] if entry.get("type") == "list" else BAD_UPN,
                             f"{name}-bad_upn-{option}")
            if specs.is_address_option(option, entry):
                value = [BAD_ADDRESS] if entry.get("type") == "list" else BAD_ADDRESS
                yield _param(name, "invalid address", option, value, f"{name}-bad_address-{option}")
        if "tenant" in mspec.spec:
            yield pytest.param(name, "unknown tenant", "tenant", UNKNOWN_TENANT, id=f"{name}-unknown_tenant")
            yield pytest.param(name, "AllTenants", "tenant", "AllTenants", id=f"{name}-AllTenants")


_BASE_WORKS: dict = {}


def base_works(name: str, params: dict) -> bool:
    """Whether the generated base arguments get past the module's own checks (check mode):
    only then must a bad tenant be the reason a run fails."""
    if name not in _BASE_WORKS:
        _BASE_WORKS[name] = not runner.run_module(name, params, check=True).failed
    return _BASE_WORKS[name]


@pytest.mark.parametrize(("name", "kind", "option", "value"), list(_value_cases()))
def test_odd_values_never_crash_or_half_write(emu, conn_shared, name, kind, option, value):
    """Values only CIPP or the module can judge: success, or a clean failure that wrote nothing"""
    mspec = SPECS[name]
    base = specs.base_params(mspec, conn_shared)
    params = dict(base, **{option: value})
    with runner.virtual_time():
        tenant_decides = kind in ("unknown tenant", "AllTenants") and base_works(name, base)
        before = emu.control.last_seq()
        run = runner.run_module(name, params)
    assert run.traceback is None, run.describe()
    written = emu.control.writes(since=before)
    if kind == "unknown tenant" or (kind == "AllTenants" and mspec.stateful):
        assert run.failed, run.describe()
    if run.failed:
        assert run.msg and "Traceback" not in run.msg, run.describe()
        assert written == [], f"failed, but wrote: {[w['endpoint'] for w in written]}"
        # AllTenants may be allowed (then CIPP's own answer, e.g. a role denial, decides).
        if tenant_decides and not (kind == "AllTenants" and run.result.get("status")):
            assert "tenant" in run.msg, run.msg
