"""The CIPP world: CIPP's own tables plus the managed tenants' directories.

``load_cipp_state(section, world)`` builds a ``CippState`` from the ``cipp.yaml`` of a fixture
(its schema is documented at the top of ``fixtures/default/cipp.yaml``). Everything is
deterministic: generated users, ids and dates come from seeded ``random.Random`` instances and
from the load time, so a reset always rebuilds the same world.

Directory objects are kept in Graph beta shape (what ``https://graph.microsoft.com/beta``
returns without ``$select``) so handlers and ``graph.py`` can hand them out as they are;
relations Graph keeps elsewhere (manager, group members and owners) live in side tables.
Callers hold ``world.lock``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import random
import re
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Margaret "
    "Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Dorothy "
    "Brian Carol George Amanda Timothy Melissa Ronald Deborah Edward Stephanie Jason Rebecca Jeffrey Sharon "
    "Ryan Laura Jacob Cynthia Gary Kathleen Nicholas Amy Eric Angela Jonathan Shirley Stephen Anna Larry "
    "Brenda Justin Pamela Scott Emma Brandon Nicole Benjamin Helen Samuel Samantha Gregory Katherine "
    "Alexander Christine Frank Debra Patrick Rachel Raymond Carolyn Jack Janet Dennis Catherine Jerry Maria "
    "Tyler Heather Aaron Diane Jose Ruth Adam Julie Nathan Olivia Henry Joyce Douglas Virginia Zachary "
    "Victoria Peter Kelly Kyle Lauren Noah Christina Ethan Joan Jeremy Evelyn Walter Judith Christian "
    "Megan Keith Andrea Roger Cheryl Terry Hannah Austin Jacqueline Sean Martha Gerald Gloria Carl Teresa"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
    "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez"
).split()
DEPARTMENTS = ("Sales", "Marketing", "Finance", "Engineering", "Operations", "HR", "Support", "Legal", "IT", "Logistics")
TITLES = ("Specialist", "Coordinator", "Analyst", "Manager", "Associate", "Consultant", "Engineer", "Advisor")
CITIES = (("Seattle", "US", "WA"), ("Chicago", "US", "IL"), ("London", "GB", None), ("Amsterdam", "NL", None),
          ("Paris", "FR", None), ("Toronto", "CA", "ON"), ("Austin", "US", "TX"), ("Dublin", "IE", None))
COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom", "NL": "Netherlands", "FR": "France",
                 "CA": "Canada", "IE": "Ireland", "EG": "Egypt"}

EXTENSION_ATTRIBUTES = {f"extensionAttribute{i}": None for i in range(1, 16)}
LAZY_GENERATION = 200          # generated user sets at least this large are built on first use


# --------------------------------------------------------------------------- small helpers

def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(when: dt.datetime) -> str:
    """Graph's date format (whole seconds, Z)."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_table(when: dt.datetime) -> str:
    """An Azure Table Timestamp as ConvertTo-Json renders a DateTimeOffset."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}0+00:00"


def parse_when(value: Any, base: dt.datetime) -> dt.datetime:
    """``-5d``/``+2d``/``-3h`` relative to ``base``, or an ISO string."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    text = str(value)
    match = re.fullmatch(r"([+-]\d+)([dhm])", text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        delta = {"d": dt.timedelta(days=amount), "h": dt.timedelta(hours=amount), "m": dt.timedelta(minutes=amount)}[unit]
        return base + delta
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def det_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def name_uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "cipp-emulator:" + ":".join(parts)))


def object_id_to_sid(object_id: str) -> str:
    """Convert-AzureAdObjectIdToSid: S-1-12-1 + the GUID's bytes as four little-endian uint32."""
    raw = uuid.UUID(object_id).bytes_le
    parts = struct.unpack("<IIII", raw)
    return "S-1-12-1-" + "-".join(str(p) for p in parts)


def is_guid(value: Any) -> bool:
    return isinstance(value, str) and bool(GUID_RE.match(value))


# --------------------------------------------------------------------------- data classes

@dataclass
class Sku:
    part: str
    sku_id: str
    name: str
    exchange: bool
    plans: list[tuple[str, str]]


@dataclass
class ApiClient:
    client_id: str
    app_name: str
    role: str | None
    ip_range: list[str]
    enabled: bool
    mcp_allowed: bool
    saved: bool
    audiences: list[str]

    def row(self) -> dict[str, Any]:
        """Get-CippApiClient output."""
        return {"ClientId": self.client_id, "AppName": self.app_name, "Role": self.role,
                "IPRange": self.ip_range or ["Any"], "Enabled": self.enabled, "MCPAllowed": self.mcp_allowed}

    def ip_allowed(self, ip: str) -> bool:
        ranges = self.ip_range or ["Any"]
        if "Any" in ranges:
            return True
        for rng in ranges:
            if ip == rng:
                return True
            try:
                if ipaddress.ip_address(ip) in ipaddress.ip_network(rng, strict=False):
                    return True
            except ValueError:
                continue
        return False


@dataclass
class Queue:
    """A CippQueue row and its tasks (one per tenant for AllTenants jobs)."""

    row_key: str
    name: str
    link: str
    reference: str
    task_names: list[str]
    created: float
    duration: float
    polls_needed: int
    polls: int = 0
    on_complete: Any = None       # callable(task_name) -> None, run once per finished task
    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    timestamp: dt.datetime = field(default_factory=now_utc)

    def completed_count(self) -> int:
        total = len(self.task_names)
        if total == 0:
            return 0
        by_time = (time.monotonic() - self.created) / self.duration if self.duration > 0 else 1.0
        by_polls = self.polls / self.polls_needed if self.polls_needed > 0 else 0.0
        fraction = min(1.0, max(by_time, by_polls))
        return int(fraction * total + 1e-9)

    def advance(self) -> None:
        """Materialise the tasks that have finished by now (writes their cache rows)."""
        for name in self.task_names[:self.completed_count()]:
            if name not in self.done:
                self.done.add(name)
                if self.on_complete:
                    self.on_complete(name)

    @property
    def finished(self) -> bool:
        self.advance()
        return len(self.done) >= len(self.task_names)


class TenantData:
    """One row of CIPP's Tenants table plus the tenant's directory."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.customer_id: str = row["customerId"]
        self.default_domain: str = row["defaultDomainName"]
        self.initial_domain: str = row["initialDomainName"]
        self.display_name: str = row["displayName"]
        self.excluded: bool = bool(row.get("Excluded"))
        self.domains: list[dict[str, Any]] = []
        self.organization: dict[str, Any] = {}
        self.licenses: list[dict[str, Any]] = []       # {"sku": Sku, "total": int, "subscriptionId": str}
        self.subscriptions: list[dict[str, Any]] = []  # directory/subscriptions
        self._users: dict[str, dict[str, Any]] = {}
        self._upn_index: dict[str, str] = {}
        self._pending: Any = None                      # deferred generation (large tenants)
        self.user_keys: dict[str, str] = {}            # fixture key -> id
        self.manager: dict[str, str] = {}
        self.sponsors: dict[str, list[str]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[str]] = {}
        self.owners: dict[str, list[str]] = {}
        self.mailbox_permissions: list[dict[str, Any]] = []
        self.mailbox_extra: dict[str, dict[str, Any]] = {}   # per user id: Exchange-only settings
        self.contacts: dict[str, dict[str, Any]] = {}
        self.transport_rules: dict[str, dict[str, Any]] = {}
        self.ca_policies: dict[str, dict[str, Any]] = {}
        self.named_locations: dict[str, dict[str, Any]] = {}
        self.shared: set[str] = set()                  # ids of shared mailbox accounts
        self.fixture: dict[str, Any] = {}
        self.revision = 0
        self.cache: dict[str, tuple[int, Any]] = {}

    # -- identity of the tenant ----------------------------------------------------------
    def matches(self, ref: str) -> bool:
        lowered = ref.lower()
        return lowered in (self.customer_id.lower(), self.default_domain.lower(), self.initial_domain.lower())

    def touch(self) -> None:
        self.revision += 1

    def cached(self, key: str, build) -> Any:
        """A value derived from this tenant, rebuilt only after the tenant changed."""
        hit = self.cache.get(key)
        if hit and hit[0] == self.revision:
            return hit[1]
        value = build()
        self.cache[key] = (self.revision, value)
        return value

    # -- users ----------------------------------------------------------------------------
    @property
    def users(self) -> dict[str, dict[str, Any]]:
        """The tenant's users (generated on first use for large tenants: resets stay fast)."""
        self._generate_pending()
        return self._users

    def _generate_pending(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()

    @property
    def _upn(self) -> dict[str, str]:
        self._generate_pending()
        return self._upn_index

    def add_user(self, user: dict[str, Any]) -> None:
        self._users[user["id"]] = user
        self._upn_index[user["userPrincipalName"].lower()] = user["id"]

    def find_user(self, ref: Any) -> dict[str, Any] | None:
        """Graph's /users/{id | userPrincipalName} (case-insensitive)."""
        if not isinstance(ref, str) or not ref:
            return None
        user = self.users.get(ref) or self.users.get(ref.lower())
        if user:
            return user
        uid = self._upn.get(ref.lower())
        return self.users.get(uid) if uid else None

    def rename_user(self, user: dict[str, Any], new_upn: str) -> None:
        self._upn.pop(user["userPrincipalName"].lower(), None)
        user["userPrincipalName"] = new_upn
        self._upn[new_upn.lower()] = user["id"]

    def remove_user(self, user: dict[str, Any]) -> None:
        uid = user["id"]
        self.users.pop(uid, None)
        self._upn.pop(user["userPrincipalName"].lower(), None)
        self.manager.pop(uid, None)
        for key in [k for k, v in self.manager.items() if v == uid]:
            self.manager.pop(key)
        for table in (self.members, self.owners):
            for gid, ids in table.items():
                if uid in ids:
                    table[gid] = [i for i in ids if i != uid]
        self.mailbox_permissions = [p for p in self.mailbox_permissions if uid not in (p["mailbox"], p["user"])]
        self.mailbox_extra.pop(uid, None)
        self.shared.discard(uid)

    def find_object(self, ref: str) -> tuple[str, dict[str, Any]] | None:
        """A directory object by id: ('user'|'group'|'contact', object)."""
        user = self.find_user(ref)
        if user:
            return "user", user
        if ref in self.groups:
            return "group", self.groups[ref]
        if ref in self.contacts:
            return "contact", self.contacts[ref]
        return None

    def find_group(self, ref: Any) -> dict[str, Any] | None:
        if not isinstance(ref, str) or not ref:
            return None
        group = self.groups.get(ref) or self.groups.get(ref.lower())
        if group:
            return group
        lowered = ref.lower()
        for group in self.groups.values():
            if (group.get("mail") or "").lower() == lowered:
                return group
        return None

    # -- licences ---------------------------------------------------------------------------
    def consumed(self, sku_id: str) -> int:
        return sum(1 for u in self.users.values() for lic in u["assignedLicenses"] if lic["skuId"] == sku_id)

    def license_entry(self, sku_id: str) -> dict[str, Any] | None:
        for entry in self.licenses:
            if entry["sku"].sku_id == sku_id:
                return entry
        return None

    def has_exchange(self, user: dict[str, Any], state: "CippState") -> bool:
        for lic in user["assignedLicenses"]:
            sku = state.sku_by_id.get(lic["skuId"])
            if sku and sku.exchange:
                return True
        return False


# --------------------------------------------------------------------------- the state

class CippState:
    """Everything CIPP keeps, for one fixture load."""

    def __init__(self, data: dict[str, Any], world: Any) -> None:
        self.world = world
        self.loaded_at = now_utc()
        self.data = data
        self.revision = 0
        version = data.get("version") or {}
        self.api_version = str(version.get("api", "10.8.2"))
        self.remote_api_version = str(version.get("remote_api", self.api_version))
        self.remote_cipp_version = str(version.get("remote_cipp", self.api_version))
        self.remote_unreachable = bool(version.get("remote_unreachable", False))

        self.api_clients: dict[str, ApiClient] = {}
        for spec in data.get("api_clients") or []:
            client_id = str(spec["ClientId"])
            self.api_clients[client_id.lower()] = ApiClient(
                client_id=client_id, app_name=str(spec.get("AppName") or ""),
                role=(spec.get("Role") or None), ip_range=list(spec.get("IPRange") or []),
                enabled=bool(spec.get("Enabled", True)), mcp_allowed=bool(spec.get("MCPAllowed", False)),
                saved=bool(spec.get("saved", spec.get("Enabled", True))),
                audiences=list(spec.get("audiences") or [f"api://{client_id}"]))
        easy = data.get("easy_auth") or {}
        saved = [c for c in self.api_clients.values() if c.saved]
        self.allowed_applications = {c.client_id.lower() for c in saved}
        self.allowed_applications |= {str(a).lower() for a in easy.get("extra_allowed_applications") or []}
        self.allowed_audiences = {aud.lower() for c in saved for aud in c.audiences}
        self.allowed_audiences |= {f"api://{a}".lower() for a in easy.get("extra_allowed_applications") or []}
        self.easy_auth_client_id = saved[0].client_id if saved else ""
        self.portal_users = {str(u["upn"]).lower(): list(u.get("roles") or []) for u in data.get("portal_users") or []}
        self.custom_roles = {str(r["RoleName"]).lower(): r for r in data.get("custom_roles") or []}
        queue = data.get("queue") or {}
        self.queue_duration = float(queue.get("duration_seconds", 1.5))
        self.queue_polls = int(queue.get("polls", 3))

        self.skus: dict[str, Sku] = {}
        for part, spec in (data.get("skus") or {}).items():
            self.skus[part] = Sku(part, spec["skuId"], spec.get("name") or part, bool(spec.get("exchange")),
                                  [tuple(p) for p in spec.get("plans") or []])
        self.sku_by_id = {s.sku_id: s for s in self.skus.values()}
        self.excluded_skus = {str(s).lower() for s in data.get("excluded_license_skus") or []}
        self.gdap_roles = list(data.get("gdap_roles") or [])

        self.tenants: list[TenantData] = []
        for spec in data.get("tenants") or []:
            self.tenants.append(self._build_tenant(spec))
        small = data.get("small_tenants")
        if small:
            self._build_small_tenants(small)
        self.tenants.sort(key=lambda t: t.display_name.lower())

        # CIPP's own tables
        self.queues: dict[str, Queue] = {}
        self.graph_cache: dict[str, dict[str, Any]] = {}     # PartitionKey -> {tenant: (time, rows)}
        self.license_cache: dict[str, Any] | None = None
        self.group_creation_cache: dict[str, dict[str, Any]] = {}
        self.logs: list[dict[str, Any]] = []
        for index, spec in enumerate(data.get("logs") or []):
            self._seed_log(spec, index)
        self.scheduled_tasks: dict[str, dict[str, Any]] = {}
        self.extra: dict[str, Any] = {}
        # Domain modules (handlers/*.py) seed their own tables from the same data.
        from .handlers import seed_state
        seed_state(self, data)

    # -- revision (cheap change detection for caches) ------------------------------------
    def touch(self) -> None:
        self.revision += 1
        for tenant in self.tenants:
            tenant.touch()

    # -- tenants --------------------------------------------------------------------------
    def find_tenant(self, ref: Any, include_excluded: bool = False) -> TenantData | None:
        """Get-Tenants -TenantFilter: customerId, defaultDomainName or initialDomainName, any case."""
        if not isinstance(ref, str) or not ref:
            return None
        for tenant in self.tenants:
            if tenant.matches(ref) and (include_excluded or not tenant.excluded):
                return tenant
        return None

    def managed_tenants(self) -> list[TenantData]:
        """Get-Tenants -IncludeErrors: not excluded, sorted by displayName."""
        return [t for t in self.tenants if not t.excluded]

    @property
    def partner_tenant_id(self) -> str:
        return self.world.partner_tenant_id

    # -- logs -----------------------------------------------------------------------------
    def write_log(self, message: str, sev: str, tenant: str | None, api: str, username: str,
                  app_id: str | None = None, ip: str | None = None, tenant_id: str | None = None,
                  log_data: Any = None, when: dt.datetime | None = None) -> None:
        if sev == "Debug":
            return
        when = when or now_utc()
        row = {"PartitionKey": when.strftime("%Y%m%d"), "RowKey": str(uuid.uuid4()),
               "Tenant": tenant or "None", "API": api or "None", "Message": message,
               "Username": username or "CIPP", "Severity": sev, "LogData": "" if log_data is None else log_data,
               "Timestamp": when}
        if ip:
            row["IP"] = ip
        if app_id:
            row["AppId"] = app_id
        if tenant_id:
            row["TenantID"] = tenant_id
        self.logs.append(row)

    def _seed_log(self, spec: dict[str, Any], index: int) -> None:
        day = self.loaded_at - dt.timedelta(days=int(spec.get("days_ago", 0)))
        hh, mm, ss = (int(x) for x in str(spec.get("time", "00:00:00")).split(":"))
        when = day.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        if when > self.loaded_at:      # "today 09:00" must not lie in the future: keep the order, end before now
            when = self.loaded_at.replace(microsecond=0) - dt.timedelta(seconds=60 - index)
            if when.date() != self.loaded_at.date():
                when = self.loaded_at
        row = {"PartitionKey": when.strftime("%Y%m%d"),
               "RowKey": name_uuid("log", str(spec.get("message")), str(spec.get("time"))),
               "Tenant": str(spec.get("tenant") or "None"), "API": spec.get("api", "None"),
               "Message": spec.get("message", ""), "Username": spec.get("user", "CIPP"),
               "Severity": spec.get("sev", "Info"), "LogData": "", "Timestamp": when}
        self.logs.append(row)

    # -- queues -----------------------------------------------------------------------------
    def new_queue(self, name: str, reference: str, task_names: list[str], link: str = "",
                  on_complete: Any = None) -> Queue:
        queue = Queue(row_key=str(uuid.uuid4()), name=name, link=link or "", reference=reference,
                      task_names=task_names, created=time.monotonic(), duration=self.queue_duration,
                      polls_needed=self.queue_polls, on_complete=on_complete)
        self.queues[queue.row_key] = queue
        return queue

    # -- building tenants -----------------------------------------------------------------
    def _tenant_row(self, spec: dict[str, Any]) -> dict[str, Any]:
        last_refresh = self.loaded_at - dt.timedelta(hours=3)
        return {
            "PartitionKey": "Tenants",
            "RowKey": spec["customerId"],
            "customerId": spec["customerId"],
            "displayName": spec["displayName"],
            "relationshipEnd": spec.get("relationshipEnd", "2027-01-01T00:00:00Z"),
            "relationshipCount": int(spec.get("relationshipCount", 1)),
            "defaultDomainName": spec["defaultDomainName"],
            "initialDomainName": spec["initialDomainName"],
            "hasAutoExtend": bool(spec.get("hasAutoExtend", False)),
            "delegatedPrivilegeStatus": spec.get("delegatedPrivilegeStatus", "granularDelegatedAdminPrivileges"),
            "domains": "",
            "Excluded": bool(spec.get("Excluded", False)),
            "ExcludeUser": spec.get("ExcludeUser", ""),
            "ExcludeDate": spec.get("ExcludeDate", ""),
            "GraphErrorCount": int(spec.get("GraphErrorCount", 0)),
            "LastGraphError": spec.get("LastGraphError", ""),
            "RequiresRefresh": False,
            "LastRefresh": iso(last_refresh),
            "Timestamp": iso_table(last_refresh),
            "ETag": f"W/\"datetime'{last_refresh.strftime('%Y-%m-%dT%H%%3A%M%%3A%S.%f')}0Z'\"",
        }

    def _build_tenant(self, spec: dict[str, Any]) -> TenantData:
        tenant = TenantData(self._tenant_row(spec))
        rng = random.Random(f"tenant:{tenant.customer_id}")
        # domains
        verified = [tenant.default_domain] + [d for d in spec.get("domains") or [] if d != tenant.default_domain]
        for name in verified:
            tenant.domains.append(_domain(name, is_default=(name == tenant.default_domain), is_initial=False))
        if tenant.initial_domain != tenant.default_domain:
            tenant.domains.append(_domain(tenant.initial_domain, is_default=False, is_initial=True))
        for name in spec.get("unverified_domains") or []:   # added in Entra, DNS proof still missing
            tenant.domains.append(dict(_domain(name, is_default=False, is_initial=False), isVerified=False,
                                       supportedServices=[]))
        # organization
        org = spec.get("organization") or {}
        tenant.organization = self._organization(tenant, org)
        # licences
        for lic in spec.get("licenses") or []:
            sku = self.skus[lic["sku"]]
            sub_id = name_uuid("sub", tenant.customer_id, sku.sku_id)
            tenant.licenses.append({"sku": sku, "total": int(lic["total"]), "subscriptionId": sub_id,
                                    "suspended": int(lic.get("suspended", 0))})
            created = parse_when(lic.get("created", "-200d"), self.loaded_at)
            tenant.subscriptions.append({
                "id": sub_id, "commerceSubscriptionId": name_uuid("commerce", sub_id),
                "createdDateTime": iso(created), "isTrial": bool(lic.get("trial", False)),
                "nextLifecycleDateTime": iso(created + dt.timedelta(days=365)), "ocpSubscriptionId": name_uuid("ocp", sub_id),
                "serviceStatus": [], "skuId": sku.sku_id, "skuPartNumber": sku.part, "status": "Enabled",
                "totalLicenses": int(lic["total"])})
        # users
        keys: dict[str, str] = {}
        pending_managers: list[tuple[str, str]] = []
        domain = spec.get("userDomain") or tenant.default_domain
        for uspec in spec.get("users") or []:
            user = self._user_from_spec(tenant, uspec, domain, rng)
            tenant.add_user(user)
            if uspec.get("shared"):
                tenant.shared.add(user["id"])
            if uspec.get("key"):
                keys[uspec["key"]] = user["id"]
            if uspec.get("manager"):
                pending_managers.append((user["id"], uspec["manager"]))
        gen = spec.get("generate")
        if gen and int(gen.get("users", 0)) >= LAZY_GENERATION:
            tenant._pending = (lambda: self._generate_users(tenant, gen, domain))
        elif gen:
            self._generate_users(tenant, gen, domain)
        for uid, manager_key in pending_managers:
            tenant.manager[uid] = keys.get(manager_key, manager_key)
        tenant.user_keys = keys
        # groups
        for gspec in spec.get("groups") or []:
            self._group_from_spec(tenant, gspec, keys)
        tenant.fixture = spec
        return tenant

    def _build_small_tenants(self, spec: dict[str, Any]) -> None:
        count = int(spec.get("count", 0))
        for n in range(1, count + 1):
            nn = f"{n:02d}"
            customer_id = f"5a1b2c3d-0000-4000-8000-0000000b{n:04d}"
            tspec = {
                "customerId": customer_id,
                "displayName": spec.get("name", "Small Customer {nn}").format(nn=nn),
                "defaultDomainName": spec.get("domain", "tenant{nn}.example").format(nn=nn),
                "initialDomainName": spec.get("initial", "tenant{nn}.onmicrosoft.com").format(nn=nn),
                "relationshipEnd": iso(self.loaded_at + dt.timedelta(days=30 * n)),
                "relationshipCount": 1,
                "hasAutoExtend": n % 3 != 0,
                "delegatedPrivilegeStatus": "directTenant" if n == count else "granularDelegatedAdminPrivileges",
                "organization": {"city": "Springfield", "country": "United States", "countryLetterCode": "US"},
                "licenses": [spec["license"]] if spec.get("license") else [],
                "generate": {"users": int(spec.get("users", 4)), "seed": int(spec.get("seed", 4404)) + n,
                             "licenses": [[spec["license"]["sku"], 1]] if spec.get("license") else []},
                "groups": [{"id": name_uuid("group", customer_id, "staff"), "displayName": "Staff",
                            "type": "m365", "mailNickname": "staff", "members": ["*"], "owners": []}],
            }
            self.tenants.append(self._build_tenant(tspec))

    def _organization(self, tenant: TenantData, org: dict[str, Any]) -> dict[str, Any]:
        plans = []
        for entry in tenant.licenses:
            for name, plan_id in entry["sku"].plans:
                plans.append({"assignedDateTime": "2020-01-01T00:00:00Z", "capabilityStatus": "Enabled",
                              "service": name.split("_")[0].lower(), "servicePlanId": plan_id})
        return {
            "id": tenant.customer_id, "deletedDateTime": None,
            "businessPhones": list(org.get("businessPhones") or []),
            "city": org.get("city"), "country": org.get("country"), "countryLetterCode": org.get("countryLetterCode"),
            "createdDateTime": org.get("createdDateTime", "2020-01-01T00:00:00Z"),
            "defaultUsageLocation": None, "displayName": tenant.display_name,
            "isMultipleDataLocationsForServicesEnabled": None, "marketingNotificationEmails": [],
            "onPremisesLastSyncDateTime": org.get("onPremisesLastSyncDateTime"),
            "onPremisesLastPasswordSyncDateTime": None, "onPremisesSyncEnabled": org.get("onPremisesSyncEnabled"),
            "partnerTenantType": None, "postalCode": org.get("postalCode"), "preferredLanguage": "en",
            "securityComplianceNotificationMails": [], "securityComplianceNotificationPhones": [],
            "state": org.get("state"), "street": org.get("street"),
            "technicalNotificationMails": list(org.get("technicalNotificationMails") or []),
            "tenantType": "AAD", "directorySizeQuota": {"used": 0, "total": 300000},
            "assignedPlans": plans, "privacyProfile": None, "provisionedPlans": [],
            "verifiedDomains": [{"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": d["isDefault"],
                                 "isInitial": d["isInitial"], "name": d["id"], "type": "Managed"}
                                for d in tenant.domains if d["isVerified"]],
        }

    def _user_from_spec(self, tenant: TenantData, spec: dict[str, Any], domain: str, rng: random.Random) -> dict[str, Any]:
        upn = spec["upn"] if "@" in str(spec["upn"]) else f"{spec['upn']}@{domain}"
        display = spec.get("displayName") or upn.split("@", maxsplit=1)[0]
        shared = bool(spec.get("shared"))
        uid = spec.get("id") or det_uuid(rng)
        licenses = [] if shared else list(spec.get("licenses") or [])
        city = spec.get("city")
        usage = spec.get("usageLocation")
        created = parse_when(spec.get("created", "-400d"), self.loaded_at)
        return self.make_user(
            tenant, uid=uid, upn=upn, display_name=display, given=spec.get("givenName"), surname=spec.get("surname"),
            job_title=spec.get("jobTitle"), department=spec.get("department"), office=spec.get("officeLocation"),
            city=city, country=COUNTRY_NAMES.get(usage) if usage else None, usage_location=usage,
            mobile=spec.get("mobilePhone"), business_phones=list(spec.get("businessPhones") or []),
            enabled=(False if shared else bool(spec.get("accountEnabled", True))), licenses=licenses,
            synced=bool(spec.get("synced")), aliases=list(spec.get("aliases") or []), created=created, shared=shared)

    def _generate_users(self, tenant: TenantData, gen: dict[str, Any], domain: str) -> None:
        rng = random.Random(int(gen.get("seed", 1)))
        count = int(gen.get("users", 0))
        rules = [(part, int(every)) for part, every in gen.get("licenses") or []]
        base = self.loaded_at - dt.timedelta(days=900)
        for i in range(count):
            first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
            local = f"{first}.{last}".lower()
            upn = f"{local}@{domain}"
            n = 2
            while upn.lower() in tenant._upn_index:
                upn = f"{local}{n}@{domain}"
                n += 1
            city, country_code, state = CITIES[rng.randrange(len(CITIES))]
            licenses = [part for part, every in rules if every > 0 and i % every == 0]
            dept = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
            user = self.make_user(
                tenant, uid=det_uuid(rng), upn=upn, display_name=f"{first} {last}", given=first, surname=last,
                job_title=f"{dept} {TITLES[rng.randrange(len(TITLES))]}", department=dept, office=None,
                city=city, country=COUNTRY_NAMES[country_code], usage_location=country_code,
                mobile=None, business_phones=[], enabled=(i % 29 != 7), licenses=licenses, synced=False,
                aliases=[], created=base + dt.timedelta(hours=7 * i), shared=False, state_name=state)
            tenant.add_user(user)

    def make_user(self, tenant: TenantData, *, uid: str, upn: str, display_name: str, given: str | None,
                  surname: str | None, job_title: str | None, department: str | None, office: str | None,
                  city: str | None, country: str | None, usage_location: str | None, mobile: str | None,
                  business_phones: list[str], enabled: bool, licenses: Iterable[str], synced: bool,
                  aliases: list[str], created: dt.datetime, shared: bool = False,
                  state_name: str | None = None, other_mails: list[str] | None = None,
                  street: str | None = None, postal: str | None = None, company: str | None = None) -> dict[str, Any]:
        """A user in Graph beta shape."""
        assigned = []
        plans = []
        has_mail = shared
        stamp = iso(created)
        for part in licenses:
            sku = self.skus[part] if part in self.skus else self.sku_by_id.get(part)
            if not sku:
                continue
            assigned.append({"disabledPlans": [], "skuId": sku.sku_id})
            has_mail = has_mail or sku.exchange
            for name, plan_id in sku.plans:
                plans.append({"assignedDateTime": stamp, "capabilityStatus": "Enabled",
                              "service": _plan_service(name), "servicePlanId": plan_id})
        mail = upn if has_mail else None
        proxies = []
        if has_mail:
            proxies = [f"SMTP:{upn}"] + [f"smtp:{a}" for a in aliases]
            local = upn.split("@")[0]
            proxies.append(f"smtp:{local}@{tenant.initial_domain}")
        nickname = upn.split("@")[0]
        return {
            "id": uid,
            "deletedDateTime": None,
            "accountEnabled": enabled,
            "ageGroup": None,
            "businessPhones": business_phones,
            "city": city,
            "createdDateTime": stamp,
            "creationType": None,
            "companyName": company,
            "consentProvidedForMinor": None,
            "country": country,
            "department": department,
            "displayName": display_name,
            "employeeId": None,
            "employeeHireDate": None,
            "employeeLeaveDateTime": None,
            "employeeType": None,
            "externalUserState": None,
            "externalUserStateChangeDateTime": None,
            "faxNumber": None,
            "givenName": given,
            "imAddresses": [upn] if has_mail and not shared else [],
            "infoCatalogs": [],
            "isLicenseReconciliationNeeded": False,
            "isManagementRestricted": None,
            "isResourceAccount": None,
            "jobTitle": job_title,
            "legalAgeGroupClassification": None,
            "mail": mail,
            "mailNickname": nickname,
            "mobilePhone": mobile,
            "officeLocation": office,
            "onPremisesDistinguishedName": (f"CN={display_name},OU=Users,DC={tenant.default_domain.split('.')[0]},DC=local"
                                            if synced else None),
            "onPremisesDomainName": (f"{tenant.default_domain.split('.')[0]}.local" if synced else None),
            "onPremisesImmutableId": (uuid.UUID(uid).bytes.hex()[:22] + "==" if synced else None),
            "onPremisesLastSyncDateTime": (iso(self.loaded_at - dt.timedelta(minutes=40)) if synced else None),
            "onPremisesSamAccountName": (nickname if synced else None),
            "onPremisesSecurityIdentifier": None,
            "onPremisesSyncEnabled": True if synced else None,
            "onPremisesUserPrincipalName": (upn if synced else None),
            "otherMails": list(other_mails or []),
            "passwordPolicies": None,
            "postalCode": postal,
            "preferredDataLocation": None,
            "preferredLanguage": "en-US",
            "proxyAddresses": proxies,
            "refreshTokensValidFromDateTime": stamp,
            "securityIdentifier": object_id_to_sid(uid),
            "showInAddressList": None,
            "signInSessionsValidFromDateTime": stamp,
            "state": state_name,
            "streetAddress": street,
            "surname": surname,
            "usageLocation": usage_location,
            "userPrincipalName": upn,
            "userType": "Member",
            "employeeOrgData": None,
            "passwordProfile": None,
            "assignedLicenses": assigned,
            "assignedPlans": plans,
            "authorizationInfo": {"certificateUserIds": []},
            "cloudRealtimeCommunicationInfo": {"isSipEnabled": True if has_mail and not shared else None},
            "deviceKeys": [],
            "identities": [{"signInType": "userPrincipalName", "issuer": tenant.initial_domain, "issuerAssignedId": upn}],
            "onPremisesExtensionAttributes": dict(EXTENSION_ATTRIBUTES),
            "onPremisesProvisioningErrors": [],
            "onPremisesSipInfo": {"isSipEnabled": False, "sipDeploymentLocation": None, "sipPrimaryAddress": None},
            "provisionedPlans": [],
            "serviceProvisioningErrors": [],
        }

    def _group_from_spec(self, tenant: TenantData, spec: dict[str, Any], keys: dict[str, str]) -> None:
        gid = spec.get("id") or name_uuid("group", tenant.customer_id, spec["displayName"])
        kind = spec.get("type", "security")
        group = self.make_group(tenant, gid=gid, display_name=spec["displayName"], kind=kind,
                                nickname=spec.get("mailNickname") or re.sub(r"[^A-Za-z0-9]", "", spec["displayName"]).lower(),
                                description=spec.get("description"), membership_rule=spec.get("membershipRule"),
                                visibility=spec.get("visibility"),
                                created=parse_when(spec.get("created", "-300d"), self.loaded_at))
        tenant.groups[gid] = group
        members = []
        for ref in spec.get("members") or []:
            if ref == "*":
                members.extend(uid for uid in tenant.users if uid not in tenant.shared)
            else:
                members.append(keys.get(ref, ref))
        tenant.members[gid] = list(dict.fromkeys(members))
        tenant.owners[gid] = [keys.get(ref, ref) for ref in spec.get("owners") or []]

    def make_group(self, tenant: TenantData, *, gid: str, display_name: str, kind: str, nickname: str,
                   description: str | None, membership_rule: str | None = None, visibility: str | None = None,
                   created: dt.datetime | None = None, mail: str | None = None) -> dict[str, Any]:
        """A group in Graph beta shape. kind: m365 | security | distribution | mailsecurity | dynamic."""
        created = created or now_utc()
        mail_enabled = kind in ("m365", "distribution", "mailsecurity")
        security_enabled = kind in ("security", "mailsecurity", "dynamic")
        group_types: list[str] = []
        if kind == "m365":
            group_types = ["Unified"]
        if kind == "dynamic" or membership_rule:
            group_types = group_types + ["DynamicMembership"]
        address = mail or (f"{nickname}@{tenant.default_domain}" if mail_enabled else None)
        return {
            "id": gid,
            "deletedDateTime": None,
            "classification": None,
            "createdDateTime": iso(created),
            "creationOptions": [],
            "description": description,
            "displayName": display_name,
            "expirationDateTime": None,
            "groupTypes": group_types,
            "isAssignableToRole": None,
            "mail": address,
            "mailEnabled": mail_enabled,
            "mailNickname": nickname,
            "membershipRule": membership_rule,
            "membershipRuleProcessingState": "On" if membership_rule else None,
            "onPremisesDomainName": None,
            "onPremisesLastSyncDateTime": None,
            "onPremisesNetBiosName": None,
            "onPremisesSamAccountName": None,
            "onPremisesSecurityIdentifier": None,
            "onPremisesSyncEnabled": None,
            "preferredDataLocation": None,
            "preferredLanguage": None,
            "proxyAddresses": ([f"SMTP:{address}", f"smtp:{nickname}@{tenant.initial_domain}"] if address else []),
            "renewedDateTime": iso(created),
            "resourceBehaviorOptions": [],
            "resourceProvisioningOptions": ["Team"] if kind == "m365" and visibility == "Public" else [],
            "securityEnabled": security_enabled,
            "securityIdentifier": object_id_to_sid(gid),
            "theme": None,
            "visibility": visibility if kind == "m365" else None,
            "writebackConfiguration": {"isEnabled": None, "onPremisesGroupType": None},
            "onPremisesProvisioningErrors": [],
            "serviceProvisioningErrors": [],
            "assignedLicenses": [],
            "licenseProcessingState": None,
            "organizationId": tenant.customer_id,
        }


def _domain(name: str, is_default: bool, is_initial: bool) -> dict[str, Any]:
    return {"authenticationType": "Managed", "availabilityStatus": None, "id": name, "isAdminManaged": True,
            "isDefault": is_default, "isInitial": is_initial, "isRoot": True, "isVerified": True,
            "manufacturer": None, "model": None, "passwordNotificationWindowInDays": 14,
            "passwordValidityPeriodInDays": 2147483647,
            "supportedServices": ["Email", "OfficeCommunicationsOnline"] if not is_initial else ["Email", "OfficeCommunicationsOnline", "Intune"],
            "state": None}


def _plan_service(name: str) -> str:
    upper = name.upper()
    if upper.startswith("EXCHANGE"):
        return "exchange"
    if upper.startswith("SHAREPOINT"):
        return "SharePoint"
    if upper.startswith("TEAMS"):
        return "TeamspaceAPI"
    if upper.startswith(("AAD", "MFA")):
        return "AADPremiumService"
    if upper.startswith("INTUNE"):
        return "SCO"
    return "MicrosoftOffice"


def stable_hash(*parts: str) -> str:
    return hashlib.sha256("-".join(parts).encode()).hexdigest()[:32]


def load_cipp_state(section: dict[str, Any], world: Any) -> CippState:
    """Build the CIPP state of a fixture (called by ``World.reset``)."""
    return CippState(section or {}, world)
