"""Exchange endpoints: mailboxes, permissions, forwarding, OOO, shared mailboxes, contacts, transport rules."""
from __future__ import annotations

import json

from tests.emulator_tests.cipp_helpers import ALEX, CONTOSO, Cipp, kinds, last_entry


def test_list_mailboxes_and_filter(emu):
    cipp = Cipp(emu)
    mailboxes = cipp.get("ListMailboxes", tenantFilter=CONTOSO).json()
    alex = next(m for m in mailboxes if m["UPN"] == ALEX)
    assert alex["recipientTypeDetails"] == "UserMailbox"
    assert alex["primarySmtpAddress"] == ALEX and "alex.w@contoso.com" in alex["AdditionalEmailAddresses"]
    assert "grady.archie@contoso.com" not in {m["UPN"] for m in mailboxes}          # unlicensed: no mailbox
    shared = cipp.get("ListMailboxes", tenantFilter=CONTOSO, RecipientTypeDetails="SharedMailbox").json()
    assert {m["UPN"] for m in shared} == {"info@contoso.com", "support@contoso.com"}
    assert last_entry(emu)["conformance"] == []


def test_mailbox_permissions_round_trip(emu):
    cipp = Cipp(emu)
    perms = cipp.get("ListmailboxPermissions", tenantFilter=CONTOSO, userId="info@contoso.com").json()
    assert {"User": "megan.bowen@contoso.com", "Permissions": "FullAccess"} in perms
    assert {"User": "alex.wilber@contoso.com", "Permissions": ["SendAs"]} in perms       # SendAs rows keep an array
    response = cipp.post("ExecEditMailboxPermissions", {
        "tenantfilter": CONTOSO, "userID": "info@contoso.com",
        "AddFullAccess": [{"value": "lee.gu@contoso.com", "label": "Lee Gu"}],
        "RemoveSendAs": [{"value": ALEX}]})
    assert response.json() == {"Results": [
        "Granted lee.gu@contoso.com FullAccess to info@contoso.com with automapping True",
        f"Removed {ALEX} SendAs permissions from info@contoso.com"]}
    perms = cipp.get("ListmailboxPermissions", tenantFilter=CONTOSO, userId="info@contoso.com").json()
    assert {"User": "lee.gu@contoso.com", "Permissions": "FullAccess"} in perms
    assert {"User": ALEX, "Permissions": ["SendAs"]} not in perms


def test_forwarding_and_bad_option(emu):
    cipp = Cipp(emu)
    ok = cipp.post("ExecEmailForward", {"tenantFilter": CONTOSO, "userID": ALEX, "forwardOption": "ExternalAddress",
                                        "ForwardExternal": "alex@home.example", "KeepCopy": True})
    assert ok.json() == {"Results": [f"Successfully set forwarding for {ALEX} to External Address alex@home.example "
                                     "with keeping a copy set to True"]}
    box = next(m for m in cipp.get("ListMailboxes", tenantFilter=CONTOSO).json() if m["UPN"] == ALEX)
    assert box["ForwardingSmtpAddress"] == "alex@home.example" and box["DeliverToMailboxAndForward"] is True
    bad = cipp.post("ExecEmailForward", {"tenantFilter": CONTOSO, "userID": ALEX, "forwardOption": "external"})
    assert bad.status_code == 500
    assert bad.json() == {"error": {"code": "InternalServerError", "message": "An error occurred processing the request"}}


def test_out_of_office(emu):
    cipp = Cipp(emu)
    response = cipp.post("ExecSetOoO", {"tenantFilter": CONTOSO, "userId": ALEX, "AutoReplyState": {"value": "Enabled"},
                                        "InternalMessage": "Away", "ExternalMessage": "Away"})
    assert response.json() == {"Results": f"Set Out-of-office for {ALEX} to Enabled."}
    body = cipp.get("ListOoO", tenantFilter=CONTOSO, userid=ALEX).json()
    assert body["AutoReplyState"] == "Enabled" and body["InternalMessage"] == "Away"
    invalid = cipp.post("ExecSetOoO", {"tenantFilter": CONTOSO, "userId": ALEX, "AutoReplyState": "On"})
    assert invalid.status_code == 500
    assert "does not belong to the set \"Enabled,Disabled,Scheduled\"" in invalid.json()["Results"]


def test_shared_mailbox_and_conversion(emu):
    cipp = Cipp(emu)
    created = cipp.post("AddSharedMailbox", {"tenantID": CONTOSO, "displayName": "Sales Desk", "username": "salesdesk",
                                             "domain": CONTOSO})
    assert created.json() == {"Results": ["Successfully created shared mailbox: salesdesk@contoso.com.",
                                          "Blocked sign-in for shared mailbox salesdesk@contoso.com"]}
    duplicate = cipp.post("AddSharedMailbox", {"tenantID": CONTOSO, "displayName": "Sales Desk", "username": "salesdesk",
                                               "domain": CONTOSO})
    assert duplicate.status_code == 403
    assert duplicate.json()["Results"][0].startswith("Failed to create shared mailbox. The proxy address")
    wrong_field = cipp.post("AddSharedMailbox", {"tenantFilter": CONTOSO, "displayName": "X", "username": "x", "domain": CONTOSO})
    assert wrong_field.status_code == 200          # tenantID missing: the request goes nowhere
    assert "ignored_field" in kinds(last_entry(emu))
    converted = cipp.post("ExecConvertMailbox", {"tenantFilter": CONTOSO, "ID": ALEX, "MailboxType": "Shared"})
    assert converted.json() == {"Results": f"Successfully converted {ALEX} to a Shared mailbox"}
    shared = {m["UPN"] for m in cipp.get("ListMailboxes", tenantFilter=CONTOSO, RecipientTypeDetails="SharedMailbox").json()}
    assert {ALEX, "salesdesk@contoso.com"} <= shared
    bad = cipp.post("ExecConvertMailbox", {"tenantFilter": CONTOSO, "ID": ALEX, "MailboxType": "Team"})
    assert bad.status_code == 500 and "Cannot validate argument on parameter 'MailboxType'" in bad.json()["Results"]


def test_contacts_single_object_then_list(emu):
    cipp = Cipp(emu)
    single = cipp.get("ListContacts", tenantFilter=CONTOSO).json()
    assert isinstance(single, dict) and single["WindowsEmailAddress"] == "sales@fabrikam.com"
    assert cipp.get("ListContacts").status_code == 400
    added = cipp.post("AddContact", {"tenantid": CONTOSO, "displayName": "Tailspin Support", "email": "help@tailspin.example",
                                     "firstName": "Tailspin", "lastName": "Support", "Company": "Tailspin"})
    assert added.json() == {"Results": "Successfully created contact Tailspin Support with email address help@tailspin.example"}
    listed = cipp.get("ListContacts", tenantFilter=CONTOSO).json()
    assert isinstance(listed, list) and len(listed) == 2
    tailspin = next(c for c in listed if c["DisplayName"] == "Tailspin Support")
    detail = cipp.get("ListContacts", tenantFilter=CONTOSO, id=tailspin["Guid"]).json()
    assert detail["mail"] == "help@tailspin.example" and detail["companyName"] == "Tailspin"
    edited = cipp.post("EditContact", {"tenantID": CONTOSO, "ContactID": tailspin["Guid"], "displayName": "Tailspin Help",
                                       "Title": "Helpdesk"})
    assert edited.json() == {"Results": "Successfully edited contact Tailspin Help"}
    removed = cipp.post("RemoveContact", {"tenantFilter": CONTOSO, "GUID": tailspin["Guid"], "Mail": "help@tailspin.example"})
    assert removed.json() == {"Results": "Deleted help@tailspin.example"}
    missing = cipp.post("RemoveContact", {"tenantFilter": CONTOSO, "GUID": tailspin["Guid"]})
    assert missing.status_code == 400


def test_transport_rules_upsert_edit_remove(emu):
    cipp = Cipp(emu)
    rules = cipp.get("ListTransportRules", tenantFilter=CONTOSO).json()
    assert rules["Metadata"] is None and len(rules["Results"]) == 2
    command = json.dumps({"name": "Tag external", "FromScope": "NotInOrganization", "PrependSubject": "[EXT] "})
    body = {"PowerShellCommand": command, "selectedTenants": [{"value": CONTOSO, "label": "Contoso"}]}
    assert cipp.post("AddTransportRule", body).json() == {"Results": [f"Successfully created transport rule for {CONTOSO}."]}
    assert cipp.post("AddTransportRule", body).json() == {"Results": [f"Successfully set transport rule for {CONTOSO}."]}
    rule = next(r for r in cipp.get("ListTransportRules", tenantFilter=CONTOSO).json()["Results"] if r["Name"] == "Tag external")
    assert cipp.post("EditTransportRule", {"tenantFilter": CONTOSO, "guid": rule["Guid"], "state": "disable"}).json() == \
        {"Results": f"Set transport rule {rule['Guid']} to disable"}
    assert cipp.post("RemoveTransportRule", {"tenantFilter": CONTOSO, "guid": rule["Guid"]}).json() == \
        {"Results": f"Deleted {rule['Guid']}"}
    gone = cipp.post("RemoveTransportRule", {"tenantFilter": CONTOSO, "guid": rule["Guid"]})
    assert gone.status_code == 403
    bare = cipp.post("AddTransportRule", {"PowerShellCommand": command, "selectedTenants": [CONTOSO]})
    assert bare.json() == {"Results": []} and "bare_labelvalue" in kinds(last_entry(emu))
