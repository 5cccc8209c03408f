# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the endpoint manifest (_cipp_endpoints.py), its checker (_manifest.py) and its builder.

Run from the repository root: .venv/bin/python -m pytest tests/unit/test_manifest.py
"""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # so the test also runs without `python -m`
    sys.path.insert(0, str(REPO_ROOT))

from plugins.module_utils import _manifest as manifest  # noqa: E402
from plugins.module_utils._cipp_endpoints import CIPP_API_VERSION, SPEC_SHA256  # noqa: E402
from plugins.module_utils._manifest import ENDPOINTS  # noqa: E402

ENDPOINTS_FILE = REPO_ROOT / "plugins" / "module_utils" / "_cipp_endpoints.py"
MANIFEST_FILE = REPO_ROOT / "plugins" / "module_utils" / "_manifest.py"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_manifest.py"
SHARED_SPEC = REPO_ROOT.parent / "shared" / "reference" / "cipp-openapi.json"

BOILERPLATE = [
    "# -*- coding: utf-8 -*-",
    "# Copyright: (c) 2026, cipp.cipp contributors",
    "# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)",
]
TYPE_CODES = {"string", "boolean", "number", "integer", "object", "array", "any", "labelvalue"}


def kinds(findings):
    return [finding.kind for finding in findings]


def only(findings):
    assert len(findings) == 1, [finding.to_dict() for finding in findings]
    return findings[0]


# --------------------------------------------------------------------------- generated data


class TestGeneratedFile:
    def test_parses_and_starts_with_boilerplate(self):
        text = ENDPOINTS_FILE.read_text(encoding="utf-8")
        ast.parse(text)
        lines = text.splitlines()
        assert lines[:3] == BOILERPLATE
        assert lines[3] == "from __future__ import absolute_import, division, print_function"
        assert lines[4] == "__metaclass__ = type"

    def test_header_names_generator_spec_hash_and_version(self):
        text = ENDPOINTS_FILE.read_text(encoding="utf-8")
        assert "GENERATED FILE" in text
        assert "scripts/build_manifest.py" in text
        assert SPEC_SHA256 in text
        assert f"CIPP {CIPP_API_VERSION}" in text

    def test_constants(self):
        assert CIPP_API_VERSION == "10.8.2"
        assert re.fullmatch(r"[0-9a-f]{64}", SPEC_SHA256)
        assert manifest.CIPP_API_VERSION == CIPP_API_VERSION

    def test_all_645_endpoints(self):
        assert len(ENDPOINTS) == 645
        for name in ("ListUsers", "EditUser", "AddUser", "ExecBulkLicense", "ListCAtemplates", "listStandardTemplates"):
            assert name in ENDPOINTS

    def test_small_and_sanity_friendly(self):
        text = ENDPOINTS_FILE.read_text(encoding="utf-8")
        assert len(text.encode("utf-8")) < 500 * 1024
        assert max(len(line) for line in text.splitlines()) <= 150

    def test_record_shape(self):
        for name, spec in ENDPOINTS.items():
            assert set(spec) == {"method", "role", "any_tenant", "passthrough", "query", "body"}, name
            assert spec["method"] in ("GET", "POST"), name
            assert isinstance(spec["role"], str) and spec["role"], name
            assert isinstance(spec["any_tenant"], bool) and isinstance(spec["passthrough"], bool), name
            for node in spec["query"].values():
                assert_valid_node(node)
            if spec["body"] is not None:
                assert_valid_node(spec["body"])

    def test_facts_carried_over(self):
        edit_user = ENDPOINTS["EditUser"]
        assert edit_user["role"] == "Identity.User.ReadWrite"
        body = edit_user["body"]["properties"]
        assert body["primDomain"] == "labelvalue"
        assert body["tenantFilter"] == {"type": "string", "required": True}
        assert body["AddToGroups"]["type"] == "array"
        assert body["AddToGroups"]["items"]["properties"]["value"] == "string"
        assert ENDPOINTS["ListUsers"]["query"]["tenantFilter"] == {"type": "string", "required": True}
        assert ENDPOINTS["ListTenants"]["any_tenant"] is True
        assert ENDPOINTS["ListTenants"]["method"] == "POST"
        assert ENDPOINTS["EditGroup"]["body"]["properties"]["AddLicenses"] == {"type": "array", "items": "labelvalue"}
        # allOf [LabelValue] is a LabelValue too.
        assert ENDPOINTS["ExecApiClient"]["body"]["properties"]["Role"] == "labelvalue"

    def test_array_bodies(self):
        bulk = ENDPOINTS["ExecBulkLicense"]["body"]
        assert bulk["type"] == "array"
        items = bulk["items"]["properties"]
        assert items["Licenses"] == {"type": "array", "items": "labelvalue"}
        assert items["userIds"]["required"] is True

    def test_passthrough_flags(self):
        passthrough = {name for name, spec in ENDPOINTS.items() if spec["passthrough"]}
        assert len(passthrough) == 20
        assert {"AddStandardsTemplate", "AddScheduledItem", "ExecOffboardUser", "AddCATemplate"} <= passthrough
        assert ENDPOINTS["AddStandardsTemplate"]["body"]["open"] is True
        assert "EditUser" not in passthrough


def assert_valid_node(node):
    if isinstance(node, str):
        assert node in TYPE_CODES, node
        return
    assert isinstance(node, dict), node
    assert node["type"] in TYPE_CODES, node
    assert set(node) <= {"type", "properties", "items", "required", "open"}, node
    for child in node.get("properties", {}).values():
        assert_valid_node(child)
    if "items" in node:
        assert_valid_node(node["items"])


# --------------------------------------------------------------------------- endpoint look-ups


class TestEndpointLookups:
    def test_find_endpoint_exact(self):
        name, spec = manifest.find_endpoint("ListUsers")
        assert name == "ListUsers"
        assert spec is ENDPOINTS["ListUsers"]

    def test_entries_are_decoded_on_first_look_up_only(self):
        table = manifest.EndpointTable({"A": '{"method": "GET"}', "B": "not json"})
        assert len(table) == 2 and "B" in table and list(table) == ["A", "B"]
        assert table["A"] == {"method": "GET"} and table["A"] is table["A"]
        with pytest.raises(KeyError):
            table["C"]  # pylint: disable=pointless-statement

    def test_find_endpoint_case_insensitive(self):
        assert manifest.find_endpoint("listusers")[0] == "ListUsers"
        assert manifest.find_endpoint("LISTCATEMPLATES")[0] == "ListCAtemplates"

    def test_find_endpoint_unknown(self):
        assert manifest.find_endpoint("ListUser") is None
        assert manifest.find_endpoint("") is None
        assert manifest.find_endpoint(None) is None

    def test_endpoint_role(self):
        assert manifest.endpoint_role("EditUser") == "Identity.User.ReadWrite"
        assert manifest.endpoint_role("edituser") == "Identity.User.ReadWrite"
        assert manifest.endpoint_role("NoSuchThing") is None

    def test_is_read_endpoint(self):
        assert manifest.is_read_endpoint("ListUsers")
        assert manifest.is_read_endpoint("listStandardTemplates")
        assert manifest.is_read_endpoint("GetVersion")
        assert not manifest.is_read_endpoint("EditUser")
        # .Read role but an action with side effects.
        assert not manifest.is_read_endpoint("ExecSendPush")
        # List name but a ReadWrite role.
        assert not manifest.is_read_endpoint("ListOffboardTenants")
        assert not manifest.is_read_endpoint("ListNothingAtAll")

    def test_allows_any_tenant(self):
        assert manifest.allows_any_tenant("ListTenants")
        assert not manifest.allows_any_tenant("ListUsers")
        assert not manifest.allows_any_tenant("NoSuchThing")

    def test_suggest_endpoints(self):
        assert manifest.suggest_endpoints("ListUser")[0] == "ListUsers"
        assert len(manifest.suggest_endpoints("ListUser", n=2)) == 2
        assert manifest.suggest_endpoints("zzzzqqqq") == []


# --------------------------------------------------------------------------- check_request


class TestEndpointFindings:
    def test_unknown_endpoint_suggests_close_names(self):
        finding = only(manifest.check_request("ListUser", {"tenantFilter": "contoso.com"}, None))
        assert finding.kind == "unknown_endpoint"
        assert finding.field == "endpoint"
        assert "ListUsers" in finding.fix

    def test_endpoint_case(self):
        finding = only(manifest.check_request("listusers", {"tenantFilter": "contoso.com"}, None))
        assert finding.kind == "endpoint_case"
        assert "ListUsers" in finding.fix
        assert finding.kind in manifest.INFO_KINDS

    def test_endpoint_case_still_checks_the_request(self):
        findings = manifest.check_request("edituser", None, {"id": "u", "primDomain": "contoso.com"})
        assert kinds(findings) == ["endpoint_case", "bare_labelvalue"]

    def test_exact_call_has_no_findings(self):
        assert manifest.check_request("ListUsers", {"tenantFilter": "contoso.com", "UserID": "u"}, None) == []


class TestLabelValue:
    def test_bare_string_is_dropped(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "tenantFilter": "t", "primDomain": "contoso.com"}))
        assert finding.kind == "bare_labelvalue"
        assert finding.field == "body.primDomain"
        assert '"value": "contoso.com"' in finding.fix

    def test_object_with_value_is_fine(self):
        assert manifest.check_request("EditUser", None, {"id": "u", "primDomain": {"value": "contoso.com"}}) == []

    def test_ui_shape_with_label_and_added_fields_is_fine(self):
        body = {"id": "u", "primDomain": {"value": "contoso.com", "label": "contoso.com", "addedFields": {}}}
        assert manifest.check_request("EditUser", None, body) == []

    def test_add_user_licenses_bare_string(self):
        finding = only(manifest.check_request("AddUser", None, {"tenantFilter": "t", "licenses": "sku-id"}))
        assert finding.kind == "bare_labelvalue"
        assert finding.field == "body.licenses"

    def test_each_bare_element_of_a_labelvalue_list(self):
        body = {"tenantFilter": "t", "licenses": ["sku-1", {"value": "sku-2"}, "sku-3"]}
        findings = manifest.check_request("AddUser", None, body)
        assert [(f.kind, f.field) for f in findings] == [
            ("bare_labelvalue", "body.licenses[0]"),
            ("bare_labelvalue", "body.licenses[2]"),
        ]

    def test_array_of_labelvalue_items(self):
        findings = manifest.check_request("EditGroup", None, {"tenantFilter": "t", "AddLicenses": ["sku", {"value": "ok"}]})
        assert [(f.kind, f.field) for f in findings] == [("bare_labelvalue", "body.AddLicenses[0]")]

    def test_numbers_and_booleans_are_bare_too(self):
        assert kinds(manifest.check_request("EditUser", None, {"id": "u", "primDomain": 5})) == ["bare_labelvalue"]
        assert kinds(manifest.check_request("EditUser", None, {"id": "u", "primDomain": True})) == ["bare_labelvalue"]

    def test_null_is_not_flagged(self):
        assert manifest.check_request("EditUser", None, {"id": "u", "primDomain": None}) == []

    def test_object_without_value(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "primDomain": {"label": "contoso.com"}}))
        assert finding.kind == "labelvalue_without_value"
        assert finding.field == "body.primDomain"

    def test_value_in_other_case_is_key_case(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "primDomain": {"Value": "contoso.com"}}))
        assert finding.kind == "key_case"

    def test_query_values_are_never_labelvalue_checked(self):
        # ExecBPA types its tenantFilter query parameter as LabelValue; a query string cannot be an object.
        assert manifest.check_request("ExecBPA", {"tenantFilter": "contoso.com"}, None) == []

    def test_tenant_filter_typed_labelvalue_in_body(self):
        # AddCAPolicy reads tenantFilter.value: a bare string deploys to no tenant.
        finding = only(manifest.check_request("AddCAPolicy", None, {"tenantFilter": "contoso.com", "RawJSON": "{}"}))
        assert (finding.kind, finding.field) == ("bare_labelvalue", "body.tenantFilter")
        assert manifest.check_request("AddCAPolicy", None, {"tenantFilter": [{"value": "contoso.com"}], "RawJSON": "{}"}) == []


class TestKeys:
    def test_unknown_key_suggests_close_name(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "userPrincipleName": "a@b.c"}))
        assert finding.kind == "unknown_key"
        assert finding.field == "body.userPrincipleName"
        assert "userPrincipalName" in finding.fix

    def test_unknown_key_without_close_name(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "zzqqxx": 1}))
        assert finding.kind == "unknown_key"
        assert finding.fix == "remove it"

    def test_unknown_query_key(self):
        finding = only(manifest.check_request("ListUsers", {"tenantFilter": "t", "graphFilterr": "x"}, None))
        assert (finding.kind, finding.field) == ("unknown_key", "query.graphFilterr")
        assert "graphFilter" in finding.fix

    def test_key_case(self):
        finding = only(manifest.check_request("ListUsers", {"TenantFilter": "t"}, None))
        assert (finding.kind, finding.field) == ("key_case", "query.TenantFilter")
        assert "'tenantFilter'" in finding.fix
        assert finding.kind in manifest.INFO_KINDS

    def test_key_case_in_body_still_checks_value(self):
        findings = manifest.check_request("EditUser", None, {"id": "u", "PrimDomain": "contoso.com"})
        assert kinds(findings) == ["key_case", "bare_labelvalue"]

    def test_tenant_filter_in_body_of_get_endpoint(self):
        assert manifest.check_request("ListUsers", None, {"tenantFilter": "contoso.com"}) == []

    def test_tenant_filter_in_query_of_body_endpoint(self):
        assert manifest.check_request("EditUser", {"tenantFilter": "contoso.com"}, {"id": "u"}) == []

    def test_key_from_other_location_counts_as_known(self):
        # ExecDisableUser declares ID in both; ListUsers declares UserID only in the query.
        assert manifest.check_request("ListUsers", None, {"tenantFilter": "t", "UserID": "u"}) == []
        finding = only(manifest.check_request("ListUsers", None, {"tenantFilter": "t", "userid": "u"}))
        assert finding.kind == "key_case"

    def test_tenant_filter_declared_in_array_elements_only(self):
        body = [{"tenantFilter": "t", "userIds": ["u"], "Licenses": [{"value": "s"}]}]
        assert manifest.check_request("ExecBulkLicense", {"tenantFilter": "t"}, body) == []

    def test_tenant_filter_on_endpoint_without_it(self):
        assert kinds(manifest.check_request("GetVersion", {"tenantFilter": "t"}, None)) == ["unknown_key"]

    def test_nested_unknown_key(self):
        body = {"id": "u", "PostExecution": {"Webhook": True, "Emial": True}}
        finding = only(manifest.check_request("EditUser", None, body))
        assert (finding.kind, finding.field) == ("unknown_key", "body.PostExecution.Emial")
        assert "'Email'" in finding.fix

    def test_nested_key_case(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "PostExecution": {"webhook": True}}))
        assert (finding.kind, finding.field) == ("key_case", "body.PostExecution.webhook")

    def test_plain_object_contents_are_not_judged(self):
        # AddScheduledItem is passthrough; ListFunctionParameters-style free objects too.
        body = {"id": "u", "PostExecution": {"Webhook": True}, "customData": {"anything": 1}}
        assert manifest.check_request("EditUser", None, body) == []

    def test_label_next_to_value_is_tolerated(self):
        body = {"tenantFilter": "t", "AddMember": [{"value": "id", "label": "User", "addedFields": {"userPrincipalName": "a@b"}}]}
        assert manifest.check_request("EditGroup", None, body) == []

    def test_error_record_junk_does_not_cause_findings(self):
        # EditGroup.AddContact items are described only by leaked PowerShell error-record members.
        body = {"tenantFilter": "t", "AddContact": [{"value": "c", "label": "Contact"}]}
        assert manifest.check_request("EditGroup", None, body) == []

    def test_error_record_junk_is_never_suggested(self):
        finding = only(manifest.check_request("EditUser", None, {"id": "u", "AddToGroups": [{"value": "g", "Exceptio": 1}]}))
        assert finding.kind == "unknown_key"
        assert "Exception" not in finding.fix

    def test_junk_keys_are_known(self):
        body = {"id": "u", "AddToGroups": [{"value": "g", "Exception": {"Message": "m"}}]}
        assert manifest.check_request("EditUser", None, body) == []


class TestBodies:
    def test_passthrough_accepts_arbitrary_keys(self):
        assert ENDPOINTS["AddStandardsTemplate"]["passthrough"]
        body = {"templateName": "T", "tenantFilter": [{"value": "AllTenants"}], "standards": {"x": {"y": 1}},
                "anything": True, "nested": {"free": 1}}
        assert manifest.check_request("AddStandardsTemplate", None, body) == []

    def test_passthrough_query_is_still_checked(self):
        assert kinds(manifest.check_request("AddStandardsTemplate", {"nope": 1}, {})) == ["unknown_key"]

    def test_array_body_is_checked_per_element(self):
        body = [
            {"tenantFilter": "t", "userIds": ["u1"], "LicenseOperation": "Add", "Licenses": [{"value": "sku"}]},
            {"tenantFilter": "t", "userIds": ["u2"], "LicenseOperation": "Add", "Licenses": ["sku"], "Licences": []},
        ]
        findings = manifest.check_request("ExecBulkLicense", None, body)
        assert [(f.kind, f.field) for f in findings] == [
            ("bare_labelvalue", "body[1].Licenses[0]"),
            ("unknown_key", "body[1].Licences"),
        ]
        assert "'Licenses'" in findings[1].fix

    def test_array_body_for_object_endpoint_is_skipped(self):
        assert manifest.check_request("EditUser", None, [{"primDomain": "contoso.com"}]) == []

    def test_single_object_for_array_endpoint_is_checked_as_one_element(self):
        findings = manifest.check_request("ExecBulkLicense", None, {"tenantFilter": "t", "userIds": ["u"], "Licenses": ["sku"]})
        assert [(f.kind, f.field) for f in findings] == [("bare_labelvalue", "body.Licenses[0]")]

    def test_none_and_empty(self):
        assert manifest.check_request("EditUser", None, None) == []
        assert manifest.check_request("EditUser", {}, {}) == []

    def test_body_keys_of_endpoint_without_body_schema(self):
        finding = only(manifest.check_request("ListUsers", None, {"tenantFilter": "t", "bogus": 1}))
        assert (finding.kind, finding.field) == ("unknown_key", "body.bogus")


class TestRequired:
    def test_off_by_default(self):
        assert manifest.check_request("ListUsers", {}, None) == []

    def test_missing_tenant_filter(self):
        finding = only(manifest.check_request("ListUsers", {}, None, check_required=True))
        assert finding.kind == "missing_required"
        assert "query or body" in finding.fix

    def test_tenant_filter_in_either_location_satisfies_both(self):
        # ExecDisableUser marks tenantFilter required in the query AND the body.
        assert manifest.check_request("ExecDisableUser", {"tenantFilter": "t"}, {"ID": "u"}, check_required=True) == []
        assert manifest.check_request("ExecDisableUser", None, {"tenantFilter": "t", "ID": "u"}, check_required=True) == []
        findings = manifest.check_request("ExecDisableUser", None, {"ID": "u"}, check_required=True)
        assert kinds(findings) == ["missing_required"]  # reported once, not per location

    def test_required_inside_array_elements(self):
        findings = manifest.check_request("ExecBulkLicense", None, [{"Licenses": [{"value": "s"}]}], check_required=True)
        assert sorted(f.field for f in findings) == ["body[0].tenantFilter", "body[0].userIds"]


class TestFinding:
    def test_to_dict_and_equality(self):
        finding = manifest.Finding("unknown_key", "body.x", "msg", "fix")
        assert finding.to_dict() == {"kind": "unknown_key", "field": "body.x", "message": "msg", "fix": "fix"}
        assert finding == manifest.Finding("unknown_key", "body.x", "msg", "fix")
        assert "unknown_key" in repr(finding)
        json.dumps(finding.to_dict())

    def test_kinds_are_listed(self):
        expected = {"unknown_endpoint", "endpoint_case", "unknown_key", "key_case", "bare_labelvalue", "labelvalue_without_value"}
        assert expected <= set(manifest.KINDS)


SAMPLE_VALUES = {
    "labelvalue": {"value": "x", "label": "x"}, "string": "x", "boolean": True, "number": 1.5,
    "integer": 1, "any": "x", "object": {}, "array": [],
}


def sample_value(node):
    """A well-formed value for a node, built from the manifest itself."""
    if isinstance(node, str):
        return SAMPLE_VALUES[node]
    if node["type"] == "object" and "properties" in node:
        return {name: sample_value(child) for name, child in node["properties"].items()}
    if node["type"] == "array" and "items" in node:
        return [sample_value(node["items"])]
    return SAMPLE_VALUES[node["type"]]


def test_a_request_built_from_the_spec_has_no_findings_for_every_endpoint():
    """No false positives on well-formed requests, for all 645 endpoints."""
    for name, spec in ENDPOINTS.items():
        query = {param: "x" for param in spec["query"]}
        body = sample_value(spec["body"]) if spec["body"] is not None else None
        findings = manifest.check_request(name, query, body, check_required=True)
        assert findings == [], (name, [finding.to_dict() for finding in findings])


# --------------------------------------------------------------------------- packaging


def test_checker_is_stdlib_only_and_imports_the_data_relatively():
    tree = ast.parse(MANIFEST_FILE.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.module == "_cipp_endpoints"
            else:
                imported.add(node.module.split(".")[0])
    assert "ansible" not in imported
    assert imported <= {"__future__", "collections", "difflib", "json", "typing"}


def test_importable_as_installed_collection(tmp_path):
    """The relative import must work under ansible_collections.cipp.cipp (namespace packages, no __init__)."""
    target = tmp_path / "ansible_collections" / "cipp" / "cipp" / "plugins" / "module_utils"
    target.mkdir(parents=True)
    for source in (MANIFEST_FILE, ENDPOINTS_FILE):
        (target / source.name).write_bytes(source.read_bytes())
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from ansible_collections.cipp.cipp.plugins.module_utils._manifest import check_request, ENDPOINTS;"
        "print(len(ENDPOINTS), check_request('EditUser', None, {'primDomain': 'x'})[0].kind)"
    )
    # -S: no site-packages, proving the checker needs nothing outside the standard library.
    result = subprocess.run([sys.executable, "-S", "-c", code, str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["645", "bare_labelvalue"]


# --------------------------------------------------------------------------- builder


def load_builder():
    spec = importlib.util.spec_from_file_location("build_manifest", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MINI_SPEC = {
    "openapi": "3.1.0",
    "components": {
        "parameters": {"tenantFilter": {"name": "tenantFilter", "in": "query", "required": True, "schema": {"type": "string"}}},
        "schemas": {"LabelValue": {"type": "object", "properties": {"label": {"type": "string"}, "value": {"type": "string"}}}},
    },
    "paths": {
        "/api/ListThings": {"get": {
            "x-cipp-role": "CIPP.Core.Read", "x-cipp-any-tenant": True,
            "parameters": [{"$ref": "#/components/parameters/tenantFilter"},
                           {"name": "Id", "in": "query", "required": False, "schema": {"type": "integer"}}],
        }},
        "/api/addThing": {"post": {
            "x-cipp-role": "CIPP.Core.ReadWrite",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["tenantFilter"],
                "properties": {
                    "tenantFilter": {"type": "string", "description": "prose that must not be copied"},
                    "owner": {"$ref": "#/components/schemas/LabelValue"},
                    "role": {"allOf": [{"$ref": "#/components/schemas/LabelValue"}], "description": "prose"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "blob": {"type": "object"},
                    "untyped": {"description": "prose"},
                },
            }}}},
        }},
        "/api/ExecMany": {"post": {
            "x-cipp-role": "CIPP.Core.ReadWrite",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "array", "properties": {},
                "items": {"type": "object", "properties": {"ids": {"type": "array", "items": {"$ref": "#/components/schemas/LabelValue"}}}},
            }}}},
        }},
        "/api/AddOpen": {"post": {
            "x-cipp-role": "CIPP.Core.ReadWrite",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"name": {"type": "string"}},
                "additionalProperties": True, "x-cipp-passthrough": True,
            }}}},
        }},
    },
}


class TestBuilder:
    def test_extract_endpoints(self):
        endpoints = load_builder().extract_endpoints(MINI_SPEC)
        assert list(endpoints) == ["AddOpen", "addThing", "ExecMany", "ListThings"]  # sorted case-insensitively
        assert endpoints["ListThings"] == {
            "method": "GET", "role": "CIPP.Core.Read", "any_tenant": True, "passthrough": False,
            "query": {"tenantFilter": {"type": "string", "required": True}, "Id": "integer"}, "body": None,
        }
        assert endpoints["addThing"]["body"] == {"type": "object", "properties": {
            "tenantFilter": {"type": "string", "required": True}, "owner": "labelvalue", "role": "labelvalue",
            "tags": {"type": "array", "items": "string"}, "blob": "object", "untyped": "any",
        }}
        assert endpoints["ExecMany"]["body"] == {
            "type": "array", "items": {"type": "object", "properties": {"ids": {"type": "array", "items": "labelvalue"}}},
        }
        assert endpoints["AddOpen"]["passthrough"] is True
        assert endpoints["AddOpen"]["body"] == {"type": "object", "properties": {"name": "string"}, "open": True}

    def test_rendered_module_is_valid_and_carries_no_prose(self, tmp_path):
        builder = load_builder()
        spec_path = tmp_path / "mini-openapi.json"
        spec_path.write_text(json.dumps(MINI_SPEC), encoding="utf-8")
        text = builder.build(spec_path, "1.2.3")
        assert "prose" not in text
        namespace = {}
        exec(compile(text, "generated", "exec"), namespace)  # pylint: disable=exec-used
        assert namespace["CIPP_API_VERSION"] == "1.2.3"
        decoded = {name: json.loads(text) for name, text in namespace["ENDPOINT_DOCUMENTS"].items()}
        assert decoded == builder.extract_endpoints(MINI_SPEC)
        assert manifest.EndpointTable(namespace["ENDPOINT_DOCUMENTS"]) == decoded
        assert builder.build(spec_path, "1.2.3") == text  # deterministic

    def test_check_mode(self, tmp_path):
        builder = load_builder()
        spec_path = tmp_path / "mini-openapi.json"
        spec_path.write_text(json.dumps(MINI_SPEC), encoding="utf-8")
        output = tmp_path / "out.py"
        args = ["--spec", str(spec_path), "--output", str(output)]
        assert builder.main(args + ["--check"]) == 1  # missing file
        assert builder.main(args) == 0
        assert builder.main(args + ["--check"]) == 0
        output.write_text(output.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        assert builder.main(args + ["--check"]) == 1
        assert builder.main(["--spec", str(tmp_path / "missing.json"), "--check"]) == 2


@pytest.mark.skipif(not SHARED_SPEC.is_file() or os.environ.get("CIPP_SKIP_SPEC_CHECK") == "1",
                    reason="the CIPP spec is not available next to the repository")
def test_committed_manifest_matches_the_spec():
    assert load_builder().main(["--spec", str(SHARED_SPEC), "--check"]) == 0
