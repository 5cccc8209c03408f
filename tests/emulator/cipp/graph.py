"""A small Microsoft Graph over the emulator's tenant data.

CIPP proxies Graph in many endpoints (``ListGraphRequest`` above all, ``ListUsers``'
``graphFilter``), so Graph's own rules show through: default page sizes, ``$top`` as page size
(1..999), ``@odata.nextLink`` with a ``$skiptoken``, ``$select`` returning only what was asked,
v1.0's smaller default user property set, ``$filter`` syntax and its error texts, the 404 text
for unknown objects. This module reproduces the parts CIPP's callers reach.

``graph_get(state, tenant, url)`` answers a GET like ``https://graph.microsoft.com/beta/users?...``
(or a relative ``users?...``) with the JSON Graph would send, or raises ``GraphError``.
"""
from __future__ import annotations

import base64
import re
from typing import Any, Callable
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .state import CippState, TenantData, is_guid

GRAPH = "https://graph.microsoft.com"


class GraphError(Exception):
    """A Graph error response: ``{"error": {"code", "message"}}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message,
                          "innerError": {"date": "2026-01-01T00:00:00", "request-id": "00000000-0000-0000-0000-000000000000"}}}


def not_found(ref: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{ref}' does not exist or one of its queried reference-property objects are not present.")


def bad_request(message: str, code: str = "Request_BadRequest") -> GraphError:
    return GraphError(400, code, message)


# --------------------------------------------------------------------------- entity shapes

USER_V1_DEFAULT = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                   "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id")
# Selectable but not returned by default (beta): null unless the emulator knows better.
USER_SELECT_ONLY = ("aboutMe", "birthday", "hireDate", "interests", "lastPasswordChangeDateTime", "mySite",
                    "pastProjects", "preferredName", "responsibilities", "schools", "skills",
                    "signInActivity", "customSecurityAttributes", "sponsors", "manager")

TYPE_NAMES = {"user": "microsoft.graph.user", "group": "microsoft.graph.group",
              "contact": "microsoft.graph.orgContact", "subscribedSku": "microsoft.graph.subscribedSku",
              "domain": "microsoft.graph.domain", "organization": "microsoft.graph.organization",
              "conditionalAccessPolicy": "microsoft.graph.conditionalAccessPolicy",
              "namedLocation": "microsoft.graph.namedLocation", "device": "microsoft.graph.device",
              "companySubscription": "microsoft.graph.companySubscription",
              "managedDevice": "microsoft.graph.managedDevice"}

DEFAULT_PAGE = {"user": 100, "group": 100, "contact": 100, "device": 100, "managedDevice": 1000}


def user_out(user: dict[str, Any], version: str = "beta") -> dict[str, Any]:
    """A user as Graph returns it without $select."""
    if version == "v1.0":
        return {k: user.get(k) for k in USER_V1_DEFAULT}
    return dict(user)


def group_out(group: dict[str, Any], version: str = "beta") -> dict[str, Any]:
    out = dict(group)
    if version == "v1.0":
        for key in ("organizationId", "licenseProcessingState", "assignedLicenses", "writebackConfiguration"):
            out.pop(key, None)
    return out


def directory_object(tenant: TenantData, oid: str, version: str = "beta") -> dict[str, Any] | None:
    found = tenant.find_object(oid)
    if not found:
        return None
    kind, obj = found
    if kind == "user":
        body = user_out(obj, version)
    elif kind == "group":
        body = group_out(obj, version)
    else:
        body = dict(obj)
    return {"@odata.type": f"#{TYPE_NAMES[kind]}", **body}


# --------------------------------------------------------------------------- $filter

_TOKEN_RE = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
    | (?P<num>-?\d+(?:\.\d+)?(?![\w/]))
    | (?P<name>[A-Za-z_$@][\w$@./]*)
    | (?P<punct>[(),:])
    )""", re.VERBOSE)

COMPARISON_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}
FUNCTIONS = {"startswith", "endswith", "contains", "tolower", "toupper"}


def _either(a, b):
    return lambda o, env: a(o, env) or b(o, env)


def _both(a, b):
    return lambda o, env: a(o, env) and b(o, env)


class _Parser:
    def __init__(self, text: str, type_name: str, known: Callable[[str], bool]):
        self.text = text
        self.type_name = type_name
        self.known = known
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN_RE.match(text, pos)
            if not match or match.end() == pos:
                raise self.syntax(pos)
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()
        self.i = 0
        self.lambda_vars: list[str] = []

    def syntax(self, pos: int | None = None) -> GraphError:
        if pos is None:
            pos = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        return bad_request(f"Invalid filter clause: Syntax error at position {pos} in '{self.text}'.", "BadRequest")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def word(self) -> str | None:
        tok = self.peek()
        return tok[1].lower() if tok and tok[0] == "name" else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1].lower() != value):
            raise self.syntax()
        self.i += 1
        return tok

    def parse(self) -> Callable[[dict], bool]:
        if not self.tokens:
            raise self.syntax(0)
        expr = self.or_expr()
        if self.peek() is not None:
            raise self.syntax()
        return lambda obj: bool(expr(obj, {}))

    def or_expr(self):
        left = self.and_expr()
        while self.word() == "or":
            self.take()
            right = self.and_expr()
            left = _either(left, right)
        return left

    def and_expr(self):
        left = self.unary()
        while self.word() == "and":
            self.take()
            right = self.unary()
            left = _both(left, right)
        return left

    def unary(self):
        if self.word() == "not":
            self.take()
            inner = self.unary()
            return lambda o, env: not inner(o, env)
        return self.comparison()

    def comparison(self):
        tok = self.peek()
        if tok and tok[1] == "(":
            self.take("(")
            inner = self.or_expr()
            self.take(")")
            return inner
        left = self.term()
        op = self.word()
        if op in COMPARISON_OPS:
            self.take()
            right = self.term()
            return _compare(op, left, right)
        if op == "in":
            self.take()
            self.take("(")
            values = [self.term()]
            while self.peek() and self.peek()[1] == ",":
                self.take(",")
                values.append(self.term())
            self.take(")")
            return lambda o, env: any(_eq(left(o, env), v(o, env)) for v in values)
        return lambda o, env: left(o, env) is True

    def term(self):
        tok = self.peek()
        if tok is None:
            raise self.syntax()
        kind, value, _pos = tok
        if kind == "str":
            self.i += 1
            literal = value[1:-1].replace("''", "'")
            return lambda o, env: literal
        if kind == "guid":
            self.i += 1
            return lambda o, env: value
        if kind == "num":
            self.i += 1
            number = float(value) if "." in value else int(value)
            return lambda o, env: number
        if kind == "name":
            lowered = value.lower()
            if lowered in ("true", "false", "null"):
                self.i += 1
                literal = {"true": True, "false": False, "null": None}[lowered]
                return lambda o, env: literal
            nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            if nxt and nxt[1] == "(":
                if lowered in FUNCTIONS:
                    return self.function(lowered)
                if lowered.endswith("/any") or lowered.endswith("/all"):
                    return self.lambda_expr(value)
                raise bad_request(f"Invalid filter clause: An unknown function with name '{value}' was found. "
                                  f"This may also be a function import or a key lookup on a navigation property, "
                                  f"which is not allowed.", "BadRequest")
            self.i += 1
            return self.property_path(value)
        raise self.syntax()

    def function(self, name: str):
        self.take()
        self.take("(")
        args = [self.term()]
        while self.peek() and self.peek()[1] == ",":
            self.take(",")
            args.append(self.term())
        self.take(")")

        def run(o, env):
            values = [a(o, env) for a in args]
            if name in ("tolower", "toupper"):
                text = values[0]
                return text.lower() if isinstance(text, str) else text
            if len(values) != 2:
                return False
            hay, needle = values
            hays = hay if isinstance(hay, list) else [hay]
            for h in hays:
                if not isinstance(h, str) or not isinstance(needle, str):
                    continue
                h, n = h.lower(), needle.lower()
                if (name == "startswith" and h.startswith(n)) or (name == "endswith" and h.endswith(n)) or \
                        (name == "contains" and n in h):
                    return True
            return False
        return run

    def lambda_expr(self, value: str):
        collection_path, mode = value.rsplit("/", 1)
        collection = self.property_path(collection_path)
        self.take()
        self.take("(")
        var = self.take()[1]
        self.take(":")
        self.lambda_vars.append(var.lower())
        body = self.or_expr()
        self.lambda_vars.pop()
        self.take(")")

        def run(o, env):
            items = collection(o, env) or []
            if not isinstance(items, list):
                items = [items]
            results = (body(o, {**env, var.lower(): item}) for item in items)
            return any(results) if mode.lower() == "any" else all(results)
        return run

    def property_path(self, value: str):
        parts = value.split("/")
        head = parts[0].lower()
        if head not in self.lambda_vars and head != "$it" and not self.known(parts[0]):
            raise bad_request(f"Could not find a property named '{parts[0]}' on type '{self.type_name}'.", "BadRequest")

        def run(o, env):
            if head in env:
                current: Any = env[head]
                rest = parts[1:]
            else:
                current = o
                rest = parts
            for part in rest:
                if part == "$count":
                    current = len(current) if isinstance(current, list) else 0
                    continue
                if isinstance(current, dict):
                    current = _get_ci(current, part)
                elif isinstance(current, list):
                    current = [_get_ci(c, part) for c in current if isinstance(c, dict)]
                else:
                    return None
            return current
        return run


def _get_ci(obj: dict, key: str) -> Any:
    if key in obj:
        return obj[key]
    lowered = key.lower()
    for k, v in obj.items():
        if k.lower() == lowered:
            return v
    return None


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return any(_eq(x, b) for x in a)
    return _norm(a) == _norm(b)


def _compare(op: str, left, right):
    def run(o, env):
        a, b = left(o, env), right(o, env)
        if op == "eq":
            return _eq(a, b)
        if op == "ne":
            return not _eq(a, b)
        if a is None or b is None:
            return False
        a, b = _norm(a), _norm(b)
        try:
            return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
        except TypeError:
            return False
    return run


def compile_filter(text: str, type_key: str, sample: dict[str, Any] | None) -> Callable[[dict], bool]:
    """Compile an OData ``$filter``; raises GraphError with Graph's texts."""
    known_keys = {k.lower() for k in (sample or {})}
    if type_key == "user":
        known_keys |= {k.lower() for k in USER_SELECT_ONLY}

    def known(name: str) -> bool:
        return not known_keys or name.lower() in known_keys

    return _Parser(text, TYPE_NAMES.get(type_key, "microsoft.graph.entity"), known).parse()


# --------------------------------------------------------------------------- query options

def _select(items: list[dict[str, Any]], select: str | None) -> list[dict[str, Any]]:
    if not select:
        return items
    fields = [f.strip() for f in select.split(",") if f.strip()]
    out = []
    for item in items:
        row = {}
        for name in fields:
            value = _get_ci(item, name)
            key = next((k for k in item if k.lower() == name.lower()), name)
            if value is not None or key in item or name in USER_SELECT_ONLY:
                row[key] = value
        if "@odata.type" in item:
            row = {"@odata.type": item["@odata.type"], **row}
        out.append(row)
    return out


def _orderby(items: list[dict[str, Any]], orderby: str | None) -> list[dict[str, Any]]:
    if not orderby:
        return items
    for clause in reversed([c.strip() for c in orderby.split(",") if c.strip()]):
        parts = clause.split()
        key = parts[0]
        desc = len(parts) > 1 and parts[1].lower() == "desc"
        items = sorted(items, key=lambda i: (_get_ci(i, key) is None, str(_get_ci(i, key) or "").lower()), reverse=desc)
    return items


def _search(items: list[dict[str, Any]], search: str | None) -> list[dict[str, Any]]:
    if not search:
        return items
    text = search.strip().strip('"')
    clauses = [c.strip().strip('"') for c in re.split(r'"\s+(?:AND|OR)\s+"', text)]
    out = []
    for item in items:
        for clause in clauses:
            prop, _sep, needle = clause.partition(":")
            value = _get_ci(item, prop.strip())
            if isinstance(value, str) and needle.strip().lower() in value.lower():
                out.append(item)
                break
    return out


SKIPTOKEN_PREFIX = "RFNwdAIAAQAAA"


def _skiptoken(offset: int) -> str:
    return SKIPTOKEN_PREFIX + base64.urlsafe_b64encode(f"emu:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    try:
        if not token.startswith(SKIPTOKEN_PREFIX):
            raise ValueError
        raw = token[len(SKIPTOKEN_PREFIX):]
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        if not decoded.startswith("emu:"):
            raise ValueError
        return int(decoded[4:])
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The specified page token value has expired and can no longer be included in your request.",
                          "Directory_ExpiredPageToken") from None


_SAFE_VALUE = "$,'()/:@"


def _encode_query(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='$')}={quote(v, safe=_SAFE_VALUE)}" for k, v in params)


# --------------------------------------------------------------------------- the router

class Request:
    def __init__(self, url: str):
        if url.startswith("http://") or url.startswith("https://"):
            parts = urlsplit(url)
            path = parts.path
            query = parts.query
        else:
            path, _sep, query = url.partition("?")
            path = "/" + path.lstrip("/")
        segments = [unquote(s) for s in path.split("/") if s]
        self.version = "beta"
        if segments and segments[0] in ("beta", "v1.0"):
            self.version = segments.pop(0)
        self.segments = segments
        self.params: list[tuple[str, str]] = parse_qsl(query, keep_blank_values=True)
        self.options: dict[str, str] = {}
        for key, value in self.params:
            name = key.lower()
            if self.version == "beta" and not name.startswith("$") and name in (
                    "select", "filter", "top", "count", "expand", "orderby", "search", "skiptoken"):
                name = "$" + name
            self.options[name] = value

    def opt(self, name: str) -> str | None:
        return self.options.get(name)


def graph_get(state: CippState, tenant: TenantData, url: str) -> Any:
    """The JSON Graph answers for a GET (dict for collections/entities)."""
    req = Request(url)
    seg = req.segments
    if not seg:
        raise bad_request("Invalid request.", "BadRequest")
    head = seg[0].lower()
    base_ctx = f"{GRAPH}/{req.version}/$metadata#"
    if head == "users":
        if len(seg) == 1:
            items = [user_out(u, req.version) for u in tenant.users.values()]
            return _collection(req, items, "user", base_ctx + "users", tenant, expand_for="user")
        user = tenant.find_user(seg[1])
        if not user:
            raise not_found(seg[1])
        if len(seg) == 2:
            return _entity(req, user_out(user, req.version), base_ctx + "users/$entity", tenant, "user")
        return _user_nav(req, tenant, user, seg[2:], base_ctx)
    if head == "groups":
        if len(seg) == 1:
            items = [group_out(g, req.version) for g in tenant.groups.values()]
            return _collection(req, items, "group", base_ctx + "groups", tenant, expand_for="group")
        group = tenant.find_group(seg[1]) if is_guid(seg[1]) else None
        if not group:
            if not is_guid(seg[1]):
                raise bad_request(f"Invalid object identifier '{seg[1]}'.")
            raise not_found(seg[1])
        if len(seg) == 2:
            return _entity(req, group_out(group, req.version), base_ctx + "groups/$entity", tenant, "group")
        nav = seg[2].lower()
        if nav in ("members", "owners", "transitivemembers"):
            ids = tenant.owners.get(group["id"], []) if nav == "owners" else tenant.members.get(group["id"], [])
            objs = [o for o in (directory_object(tenant, i, req.version) for i in ids) if o]
            if len(seg) > 3:
                cast = seg[-1].lower()
                objs = [o for o in objs if o["@odata.type"].lower() == "#" + cast]
            return _collection(req, objs, "directoryObject", base_ctx + "directoryObjects", tenant)
        raise bad_request(f"Resource not found for the segment '{seg[2]}'.", "BadRequest")
    if head == "subscribedskus":
        items = subscribed_skus(state, tenant)
        if len(seg) == 2:
            match = [s for s in items if s["id"].lower() == seg[1].lower()]
            if not match:
                raise not_found(seg[1])
            return _entity(req, match[0], base_ctx + "subscribedSkus/$entity", tenant, "subscribedSku")
        return _collection(req, items, "subscribedSku", base_ctx + "subscribedSkus", tenant, page=None)
    if head == "domains":
        if len(seg) == 2:
            match = [d for d in tenant.domains if d["id"].lower() == seg[1].lower()]
            if not match:
                raise GraphError(404, "Request_ResourceNotFound", f"Domain '{seg[1]}' was not found.")
            return _entity(req, dict(match[0]), base_ctx + "domains/$entity", tenant, "domain")
        return _collection(req, [dict(d) for d in tenant.domains], "domain", base_ctx + "domains", tenant, page=None)
    if head == "organization":
        return _collection(req, [dict(tenant.organization)], "organization", base_ctx + "organization", tenant, page=None)
    if head == "directory" and len(seg) >= 2 and seg[1].lower() == "subscriptions":
        return _collection(req, [dict(s) for s in tenant.subscriptions], "companySubscription",
                           base_ctx + "directory/subscriptions", tenant, page=None)
    if head == "contacts":
        from .handlers.exchange import contact_graph
        items = [contact_graph(c) for c in tenant.contacts.values()]
        if len(seg) == 2:
            match = [c for c in items if c["id"].lower() == seg[1].lower()]
            if not match:
                raise not_found(seg[1])
            return _entity(req, match[0], base_ctx + "contacts/$entity", tenant, "contact")
        return _collection(req, items, "contact", base_ctx + "contacts", tenant)
    if head == "identity" and len(seg) >= 3 and seg[1].lower() == "conditionalaccess":
        kind = seg[2].lower()
        store = {"policies": tenant.ca_policies, "namedlocations": tenant.named_locations}.get(kind)
        if store is None:
            raise bad_request(f"Resource not found for the segment '{seg[2]}'.", "BadRequest")
        type_key = "conditionalAccessPolicy" if kind == "policies" else "namedLocation"
        if len(seg) == 4:
            obj = store.get(seg[3])
            if not obj:
                raise GraphError(404, "ResourceNotFound", f"The requested resource '{seg[3]}' was not found.")
            return _entity(req, dict(obj), base_ctx + f"identity/conditionalAccess/{seg[2]}/$entity", tenant, type_key)
        return _collection(req, [dict(o) for o in store.values()], type_key,
                           base_ctx + f"identity/conditionalAccess/{seg[2]}", tenant, page=None)
    if head == "devices":
        return _collection(req, [], "device", base_ctx + "devices", tenant)
    if head == "devicemanagement" and len(seg) >= 2 and seg[1].lower() == "manageddevices":
        return _collection(req, [], "managedDevice", base_ctx + "deviceManagement/managedDevices", tenant)
    raise bad_request(f"Resource not found for the segment '{seg[0]}'.", "BadRequest")


def _user_nav(req: Request, tenant: TenantData, user: dict[str, Any], rest: list[str], base_ctx: str) -> Any:
    nav = rest[0].lower()
    uid = user["id"]
    if nav in ("memberof", "transitivememberof"):
        groups = [group_out(g, req.version) for gid, g in tenant.groups.items() if uid in tenant.members.get(gid, [])]
        objs = [{"@odata.type": "#microsoft.graph.group", **g} for g in groups]
        return _collection(req, objs, "group", base_ctx + "directoryObjects", tenant, page=100)
    if nav == "manager":
        mid = tenant.manager.get(uid)
        obj = directory_object(tenant, mid, req.version) if mid else None
        if not obj:
            raise not_found("manager")
        return _entity(req, obj, base_ctx + "directoryObjects/$entity", tenant, "user")
    if nav == "directreports":
        objs = [directory_object(tenant, k, req.version) for k, v in tenant.manager.items() if v == uid]
        return _collection(req, [o for o in objs if o], "user", base_ctx + "directoryObjects", tenant)
    if nav == "licensedetails":
        details = []
        for lic in user["assignedLicenses"]:
            sku = tenant_sku(tenant, lic["skuId"])
            details.append({"id": lic["skuId"], "skuId": lic["skuId"], "skuPartNumber": sku.part if sku else None,
                            "servicePlans": [{"servicePlanId": p, "servicePlanName": n, "provisioningStatus": "Success",
                                              "appliesTo": "User"} for n, p in (sku.plans if sku else [])]})
        return _collection(req, details, "licenseDetails", base_ctx + "users('{uid}')/licenseDetails", tenant, page=None)
    raise bad_request(f"Resource not found for the segment '{rest[0]}'.", "BadRequest")


def tenant_sku(tenant: TenantData, sku_id: str):
    entry = tenant.license_entry(sku_id)
    return entry["sku"] if entry else None


def subscribed_skus(state: CippState, tenant: TenantData) -> list[dict[str, Any]]:
    out = []
    for entry in tenant.licenses:
        sku = entry["sku"]
        out.append({
            "accountName": tenant.initial_domain.split(".")[0], "accountId": tenant.customer_id, "appliesTo": "User",
            "capabilityStatus": "Enabled", "consumedUnits": tenant.consumed(sku.sku_id),
            "id": f"{tenant.customer_id}_{sku.sku_id}",
            "prepaidUnits": {"enabled": entry["total"], "suspended": entry.get("suspended", 0), "warning": 0, "lockedOut": 0},
            "servicePlans": [{"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success",
                              "appliesTo": "User"} for name, pid in sku.plans],
            "skuId": sku.sku_id, "skuPartNumber": sku.part, "subscriptionIds": [entry["subscriptionId"]]})
    return out


def _expand(req: Request, items: list[dict[str, Any]], tenant: TenantData, type_key: str) -> list[dict[str, Any]]:
    expand = req.opt("$expand") or req.opt("expand")
    if not expand:
        return items
    match = re.match(r"^\s*(\w+)(?:\((.*)\))?\s*$", expand)
    if not match:
        raise bad_request("Parsing OData Select and Expand failed: Syntax error.", "BadRequest")
    nav = match.group(1)
    inner = match.group(2) or ""
    select = None
    inner_match = re.search(r"\$?select=([^;)]*)", inner)
    if inner_match:
        select = inner_match.group(1)
    out = []
    for item in items:
        item = dict(item)
        oid = item.get("id")
        if nav.lower() == "manager" and type_key == "user":
            mid = tenant.manager.get(oid) if oid else None
            obj = directory_object(tenant, mid, req.version) if mid else None
            if obj:
                item["manager"] = _select([obj], select)[0]
        elif nav.lower() in ("members", "owners") and type_key == "group":
            table = tenant.members if nav.lower() == "members" else tenant.owners
            objs = [o for o in (directory_object(tenant, i, req.version) for i in table.get(oid, [])[:20]) if o]
            item[nav] = _select(objs, select)
        elif nav.lower() == "memberof" and type_key == "user":
            objs = [{"@odata.type": "#microsoft.graph.group", **group_out(g, req.version)}
                    for gid, g in tenant.groups.items() if oid in tenant.members.get(gid, [])]
            item["memberOf"] = _select(objs, select)
        else:
            raise bad_request(f"Could not find a property named '{nav}' on type '{TYPE_NAMES.get(type_key, type_key)}'.",
                              "BadRequest")
        out.append(item)
    return out


def _entity(req: Request, obj: dict[str, Any], context: str, tenant: TenantData, type_key: str) -> dict[str, Any]:
    items = _expand(req, [obj], tenant, type_key)
    select = req.opt("$select")
    items = _select(items, select + (",manager" if select and "manager" in items[0] else "")) if select else items
    ctx = context
    if select:
        ctx = context.replace("/$entity", f"({select})/$entity")
    return {"@odata.context": ctx, **items[0]}


def _collection(req: Request, items: list[dict[str, Any]], type_key: str, context: str, tenant: TenantData,
                page: int | None | str = "default", expand_for: str | None = None) -> dict[str, Any]:
    flt = req.opt("$filter")
    if flt:
        predicate = compile_filter(flt, type_key, items[0] if items else None)
        items = [i for i in items if predicate(i)]
    items = _search(items, req.opt("$search"))
    items = _orderby(items, req.opt("$orderby"))
    total = len(items)
    top_text = req.opt("$top")
    page_size = DEFAULT_PAGE.get(type_key) if page == "default" else page
    if top_text:
        try:
            top = int(top_text)
        except ValueError:
            raise bad_request(f"Invalid page size specified: '{top_text}'. Must be between 1 and 999 inclusive.") from None
        if type_key in ("user", "group", "contact", "directoryObject", "device") and not 1 <= top <= 999:
            raise bad_request(f"Invalid page size specified: '{top_text}'. Must be between 1 and 999 inclusive.")
        page_size = top
    offset = _offset(req.opt("$skiptoken")) if req.opt("$skiptoken") else 0
    window = items[offset:offset + page_size] if page_size else items[offset:]
    if expand_for:
        window = _expand(req, window, tenant, expand_for)
    select = req.opt("$select")
    if select:
        extra = ""
        expand = req.opt("$expand") or req.opt("expand") or ""
        nav = re.match(r"^\s*(\w+)", expand)
        if nav:
            extra = "," + nav.group(1)
        window = _select(window, select + extra)
        context = f"{context}({select})"
    body: dict[str, Any] = {"@odata.context": context}
    count = (req.opt("$count") or "").lower() == "true"
    if count:
        body["@odata.count"] = total
    if page_size and offset + page_size < total:
        keep = [(k, v) for k, v in req.params if k.lower().lstrip("$") != "skiptoken"]
        keep.append(("$skiptoken", _skiptoken(offset + page_size)))
        body["@odata.nextLink"] = f"{GRAPH}/{req.version}/{'/'.join(quote(s) for s in req.segments)}?{_encode_query(keep)}"
    body["value"] = window
    return body


def follow_all(state: CippState, tenant: TenantData, url: str, no_pagination: bool = False) -> tuple[list[Any], str | None]:
    """New-GraphGetRequest: collect ``value`` over every page (or the first one).

    Returns (items, nextLink-of-the-last-page-read). A response without ``value`` is returned as
    the single item (an entity, with its @odata.context, exactly as CIPP passes it on)."""
    items: list[Any] = []
    next_url: str | None = url
    last_next = None
    while next_url:
        data = graph_get(state, tenant, next_url)
        if isinstance(data, dict) and "value" in data:
            items.extend(data["value"])
        else:
            items.append(data)
            return items, None
        last_next = data.get("@odata.nextLink")
        if no_pagination:
            return items, last_next
        next_url = last_next
    return items, None


def count_only(state: CippState, tenant: TenantData, url: str) -> int | None:
    data = graph_get(state, tenant, url)
    return data.get("@odata.count") if isinstance(data, dict) else None
