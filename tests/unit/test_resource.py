"""The declarative base: compare only what is set, check mode, verify after write, diffs."""
import pytest

from ansible_collections.cipp.cipp.plugins.module_utils import _resource
from ansible_collections.cipp.cipp.plugins.module_utils._errors import CippResultError
from ansible_collections.cipp.cipp.plugins.module_utils._masking import MASK
from ansible_collections.cipp.cipp.plugins.module_utils._resource import StatefulResource, differences


class FakeCipp:
    def __init__(self, params, check_mode=False, diff_mode=True):
        self.params = params
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.client = None


class Thing(StatefulResource):
    result_key = "thing"
    write_only_fields = ("password",)
    unordered_fields = ("tags",)

    def __init__(self, cipp, store, sticky=True):
        super().__init__(cipp)
        self.store = store
        self.sticky = sticky
        self.writes = []

    def read(self):
        return dict(self.store["thing"]) if "thing" in self.store else None

    def desired(self):
        return {k: self.params.get(k) for k in ("name", "title", "tags", "password")}

    def create(self, desired):
        self.writes.append("create")
        self.store["thing"] = {k: v for k, v in desired.items() if v is not None and k != "password"}

    def update(self, current, changes, desired):
        self.writes.append(("update", sorted(changes)))
        if self.sticky:
            self.store["thing"].update(changes)

    def delete(self, current):
        self.writes.append("delete")
        del self.store["thing"]


def run(params, store, **kwargs):
    sticky = kwargs.pop("sticky", True)
    thing = Thing(FakeCipp(dict({"state": "present"}, **params), **kwargs), store, sticky=sticky)
    return thing.run(), thing.writes


def test_differences_ignore_unmanaged_and_order():
    current = {"name": "a", "tags": ["x", "y"], "title": "t"}
    assert differences(current, {"name": "a", "tags": ["y", "x"], "title": None}, unordered=("tags",)) == {}
    assert differences(current, {"title": "u"}) == {"title": "u"}
    assert differences({"upn": "A@B.com"}, {"upn": "a@b.com"}, case_insensitive=("upn",)) == {}


def test_create_then_idempotent_then_update():
    store = {}
    result, writes = run({"name": "a", "title": "t", "password": "secret"}, store)
    assert result["changed"] and writes == ["create"]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["password"] == MASK
    result, writes = run({"name": "a", "title": "t", "password": "secret"}, store)
    assert not result["changed"] and writes == []
    result, writes = run({"name": "a", "title": "u"}, store)
    assert result["changed"] and writes == [("update", ["title"])]
    assert result["diff"] == {"before": {"name": "a", "title": "t"}, "after": {"name": "a", "title": "u"}}


def test_check_mode_writes_nothing_but_predicts():
    store = {"thing": {"name": "a", "title": "t"}}
    result, writes = run({"name": "a", "title": "u"}, store, check_mode=True)
    assert result["changed"] and writes == [] and result["thing"]["title"] == "u"
    assert store["thing"]["title"] == "t"
    result, writes = run({"name": "b"}, {}, check_mode=True)
    assert result["changed"] and writes == []


def test_absent_and_rerun():
    store = {"thing": {"name": "a"}}
    result, writes = run({"state": "absent"}, store, check_mode=True)
    assert result["changed"] and writes == [] and "thing" in store
    result, writes = run({"state": "absent"}, store)
    assert result["changed"] and writes == ["delete"] and result["diff"]["after"] == {}
    result, writes = run({"state": "absent"}, store)
    assert not result["changed"] and writes == []


def test_write_that_does_not_stick_fails_naming_the_field(monkeypatch):
    monkeypatch.setattr(_resource, "VERIFY_TIMEOUT", 0.2)
    monkeypatch.setattr(_resource, "VERIFY_FIRST_WAIT", 0.05)
    store = {"thing": {"name": "a", "title": "t"}}
    with pytest.raises(CippResultError) as info:
        run({"name": "a", "title": "u"}, store, sticky=False)
    assert "title is 't', wanted 'u'" in info.value.msg
