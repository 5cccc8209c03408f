"""Exchange modules over the emulator: each playbook walks check-mode create (no write) -> create ->
rerun (changed=0) -> update (the diff shows only it) -> delete or disable -> rerun, and bad input
fails naming the option before any write. Each test asserts which writes reached CIPP and that the
emulator's conformance log is empty (no ignored key, no bare string where CIPP reads {value})."""
from __future__ import annotations

import json

from tests.integration.harness import run_playbook


def writes(emu, endpoint=None):
    return [r for r in emu.control.requests(service="cipp", endpoint=endpoint) if r.get("state_changed")]


def sent(emu):
    return [r["endpoint"] for r in writes(emu)]


def test_shared_mailbox_lifecycle(emu, token_cache):
    run = run_playbook(emu, "exchange_shared_mailbox.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["AddSharedMailbox", "EditUser", "EditUser", "ExecConvertMailbox", "ExecConvertMailbox",
                         "RemoveUser"], sent(emu)
    assert emu.control.conformance() == []
    created = writes(emu, "AddSharedMailbox")[0]["body"]
    assert created["tenantID"] == "contoso.com" and "tenantFilter" not in created


def test_mailbox_permission_lifecycle(emu, token_cache):
    run = run_playbook(emu, "exchange_mailbox_permission.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["ExecEditMailboxPermissions"] * 4, sent(emu)
    assert emu.control.conformance() == []
    grant, behalf, purge, remove = (w["body"] for w in writes(emu))
    assert grant["tenantfilter"] == "contoso.com" and grant["userID"] == "info@contoso.com"
    assert grant["AddFullAccess"] == [{"value": "adele.vance@contoso.com", "label": "adele.vance@contoso.com"}]
    assert behalf["AddSendOnBehalf"][0]["value"] == "lee.gu@contoso.com"
    assert purge["AddFullAccessNoAutoMap"][0]["value"] == "nestor.wilke@contoso.com"
    assert purge["RemoveFullAccess"][0]["value"] == "megan.bowen@contoso.com"
    assert remove == {"tenantfilter": "contoso.com", "userID": "info@contoso.com",
                      "RemoveSendAs": [{"value": "alex.wilber@contoso.com", "label": "alex.wilber@contoso.com"}]}
    assert "[WARNING]" not in run.output  # the bucket keys the spec misses are not reported as ignored


def test_mail_forwarding_lifecycle(emu, token_cache):
    run = run_playbook(emu, "exchange_mail_forwarding.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["ExecEmailForward"] * 4, sent(emu)
    assert emu.control.conformance() == []
    internal, no_copy, external, off = (w["body"] for w in writes(emu))
    assert internal["forwardOption"] == "internalAddress" and internal["KeepCopy"] is True
    assert internal["ForwardInternal"] == {"value": "megan.bowen@contoso.com", "label": "megan.bowen@contoso.com"}
    assert no_copy["KeepCopy"] is False
    assert external["forwardOption"] == "ExternalAddress" and external["ForwardExternal"] == "alex@home.example"
    assert off == {"tenantFilter": "contoso.com", "userID": "alex.wilber@contoso.com", "forwardOption": "disabled"}


def test_out_of_office_lifecycle(emu, token_cache):
    run = run_playbook(emu, "exchange_out_of_office.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["ExecSetOoO"] * 4, sent(emu)
    assert emu.control.conformance() == []
    enable, reword, schedule, disable = (w["body"] for w in writes(emu))
    assert enable["AutoReplyState"] == {"value": "Enabled", "label": "Enabled"}
    # The unchanged external message rides along, or CIPP would turn external replies off.
    assert reword["ExternalMessage"] == "Thank you for your message. I am away this week."
    assert schedule["StartTime"] == 1910736000 and schedule["EndTime"] == 1912356000
    assert disable["AutoReplyState"]["value"] == "Disabled"


def test_contact_lifecycle(emu, token_cache):
    run = run_playbook(emu, "exchange_contact.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["AddContact", "EditContact", "EditContact", "RemoveContact"], sent(emu)
    assert emu.control.conformance() == []
    add, phone, hide, remove = (w["body"] for w in writes(emu))
    assert add["tenantid"] == "contoso.com" and add["email"] == "office@northwind-accounting.example"
    assert phone["tenantID"] == "contoso.com" and phone["phone"] == "+1 206 555 0199"
    assert hide["hidefromGAL"] is True
    assert remove["GUID"] == phone["ContactID"]


def test_transport_rule_lifecycle(emu, token_cache):
    run = run_playbook(emu, "exchange_transport_rule.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert sent(emu) == ["AddTransportRule", "AddTransportRule", "EditTransportRule", "RemoveTransportRule"], sent(emu)
    assert emu.control.conformance() == []
    create, comment, disable, remove = (w["body"] for w in writes(emu))
    assert create["selectedTenants"] == [{"value": "contoso.com", "label": "Contoso Ltd"}]
    assert json.loads(create["PowerShellCommand"]) == {
        "Name": "External sender tag", "FromScope": "NotInOrganization", "ExceptIfSenderDomainIs": ["fabrikam.com"],
        "PrependSubject": "[EXT] ", "Priority": 2, "Mode": "Enforce", "Comments": "Managed by Ansible"}
    assert json.loads(comment["PowerShellCommand"]) == {"Name": "External sender tag",
                                                        "Comments": "Managed by Ansible - see the runbook"}
    assert disable["state"] == "disable" and disable["guid"] == remove["guid"]


def test_info_modules(emu, token_cache):
    run = run_playbook(emu, "exchange_info.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert writes(emu) == []
    assert emu.control.conformance() == []
    # ListMailboxes gets only the keys the spec lists: filters are applied by the module.
    for request in emu.control.requests(service="cipp", endpoint="ListMailboxes"):
        assert set(request["query"]) <= {"tenantFilter", "UseReportDB"}, request["query"]


def test_failure_text_in_http_200_fails_the_task(emu, token_cache):
    emu.control.add_fault(endpoint="ExecEmailForward", kind="status", status=200,
                          body={"Results": ["Failed to set forwarding for alex.wilber@contoso.com. Error: "
                                            "The operation couldn't be performed."]})
    run = run_playbook(emu, "exchange_failure_in_200.yml", token_cache=token_cache)
    assert run.rc == 0, run.output
    assert run.stats["localhost"]["rescued"] == 1
    assert writes(emu) == []
