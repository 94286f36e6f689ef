"""Importing customers (accounts) with a first contact, an address and tags.

Each row is cleaned by the customer services' own rules (``clean_fields``: phone to E.164,
registration id with its check character, e-mail, choices, lengths); duplicates are found
in the database by registration id, phone, e-mail and normalised name of customers and their
contacts, with one query per kind of key per batch. New customers are written in bulk (ids from
the sequence, the search index, completeness and a timeline entry each); updated customers
through ordinary updates and a re-index. The audit trail gets one entry per batch listing every
customer created and every change made (see ``imports.run_batch``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from django.db.models import F, Lookup, Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import normalize
from guanxi.core.cleaning import clean_fields
from guanxi.core.errors import FieldErrors
from guanxi.customers.models import (
    Account,
    Address,
    Approval,
    Contact,
    Industry,
    Size,
    Source,
    Tag,
    TimelineEvent,
)
from guanxi.customers.permissions import can_edit_account
from guanxi.customers.regions import province_code
from guanxi.customers.search import reindex_accounts, value_tokens
from guanxi.customers.selectors import account_scope
from guanxi.customers.services.common import (
    ACCOUNT_FIELDS,
    COMPLETENESS,
    CONTACT_FIELDS,
    event_fields,
    refresh_completeness,
)
from guanxi.integrations.services.imports_kinds import (
    Item,
    Kind,
    RowError,
    Target,
    register,
)
from guanxi.integrations.services.imports_write import Table, allocate_ids, write_tokens

T = Target
ACCOUNT_KEYS = ("name", "name_en", "kind", "registration_id", "industry", "size", "source",
                "phone", "email", "website", "description", "needs", "purchase_channel")
CONTACT_KEYS = {"contact_name": "name", "contact_mobile": "mobile", "contact_phone": "phone",
                "contact_email": "email", "contact_title": "title"}
ADDRESS_KEYS = ("country", "province", "city", "district", "street")
CHOICES = {"kind": Account.Kind, "industry": Industry, "size": Size, "source": Source}
EXTRA_CHOICES = {"kind": {"企业": "company", "公司": "company", "单位": "company",
                          "个人": "person", "individual": "person", "b2c": "person"}}
_SPLIT_TAGS = re.compile(r"[,;，；、|]+")
STRENGTH = {"registration_id": 3, "phone": 2, "email": 2, "name": 1}

TABLES = {m: Table(m) for m in (Account, Contact)}
ADDRESS_TABLE = Table(Address, with_id=False)
EVENT_TABLE = Table(TimelineEvent, with_id=False)
TAG_TABLE = Table(Account.tags.through, with_id=False)
_WEIGHT = dict(COMPLETENESS)


@cache
def choice_lookup(name: str) -> dict[str, str]:
    """Stored value by value, English label or Chinese label (folded)."""
    out: dict[str, str] = {}
    for value, label in CHOICES[name].choices:
        out[normalize.fold(value)] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                out[normalize.fold(str(label))] = value
    for text, value in EXTRA_CHOICES.get(name, {}).items():
        out[normalize.fold(text)] = value
    return out


class Customers(Kind):
    key = "customers"
    label = gettext_lazy("Customers")
    unique_keys = frozenset({"registration_id"})
    grows = (Account, Contact)
    targets = (
        T("name", gettext_lazy("Customer name"),
          ("客户名称", "公司名称", "企业名称", "客户", "名称", "公司", "单位名称", "customer",
           "company", "customer name", "company name", "account", "account name"),
          required=True),
        T("name_en", gettext_lazy("English name"), ("英文名称", "英文名", "english name")),
        T("kind", gettext_lazy("Company or person"), ("客户类型", "类型", "type", "kind")),
        T("registration_id", gettext_lazy("Registration id (USCC)"),
          ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "registration id",
           "registration number", "credit code", "税号")),
        T("industry", gettext_lazy("Industry"), ("行业", "所属行业", "industry")),
        T("size", gettext_lazy("Size"), ("规模", "企业规模", "人员规模", "size", "employees")),
        T("source", gettext_lazy("Source"), ("来源", "客户来源", "source", "lead source")),
        T("phone", gettext_lazy("Phone"),
          ("电话", "手机", "手机号", "联系电话", "公司电话", "phone", "telephone", "tel",
           "mobile")),
        T("email", gettext_lazy("E-mail"), ("邮箱", "电子邮件", "电子邮箱", "邮件", "email",
                                            "e-mail", "mail")),
        T("website", gettext_lazy("Website"), ("网址", "网站", "官网", "website", "url", "web")),
        T("description", gettext_lazy("Notes"), ("备注", "说明", "notes", "note", "remark",
                                                  "description")),
        T("needs", gettext_lazy("Needs"), ("需求", "客户需求", "needs")),
        T("purchase_channel", gettext_lazy("Purchase channel"), ("购买渠道", "渠道",
                                                                  "purchase channel", "channel")),
        T("contact_name", gettext_lazy("Contact name"), ("联系人", "联系人姓名", "姓名", "contact",
                                                        "contact name", "contact person")),
        T("contact_mobile", gettext_lazy("Contact mobile"),
          ("联系人手机", "联系人电话", "contact mobile", "contact phone")),
        T("contact_phone", gettext_lazy("Contact office phone"), ("联系人座机", "座机",
                                                                  "office phone")),
        T("contact_email", gettext_lazy("Contact e-mail"), ("联系人邮箱", "contact email",
                                                           "contact e-mail")),
        T("contact_title", gettext_lazy("Contact job title"), ("职务", "职位", "联系人职务",
                                                               "title", "job title", "position")),
        T("country", gettext_lazy("Country"), ("国家", "country")),
        T("province", gettext_lazy("Province"), ("省", "省份", "省份/直辖市", "province",
                                                 "state")),
        T("city", gettext_lazy("City"), ("市", "城市", "city")),
        T("district", gettext_lazy("District"), ("区", "区县", "district")),
        T("street", gettext_lazy("Address"), ("地址", "详细地址", "街道", "街道地址", "address",
                                              "street", "street address")),
        T("tags", gettext_lazy("Tags"), ("标签", "tags", "tag")),
        T("owner", gettext_lazy("Owner"), ("负责人", "业务员", "销售", "客户经理", "owner",
                                           "sales rep", "account owner")),
    )

    # --- cleaning ----------------------------------------------------------------------------

    def context(self, actor: User) -> dict[str, Any]:
        """Who may be named in the owner column: the importer when a rep; their team's reps
        and managers for assistants and managers; every rep and manager for administrators."""
        users = User.objects.filter(is_active=True,
                                    user_roles__role__in=[Role.REP, Role.MANAGER]).distinct()
        if not actor.has_role(Role.ADMIN):
            if actor.has_role(Role.ASSISTANT, Role.MANAGER):
                users = users.filter(team_id__in=actor.team_subtree_ids)
            else:
                users = users.filter(pk=actor.pk)
        owners: dict[str, tuple[int, int | None]] = {}
        for pk, username, display, team in users.values_list("pk", "username", "display_name",
                                                               "team_id"):
            for name in (username, display):
                if name:
                    owners.setdefault(normalize.fold(name), (pk, team))
        default = actor.pk if actor.has_role(Role.REP, Role.MANAGER) else None
        return {"owners": owners, "default_owner": default, "team": actor.team_id,
                "pending": actor.has_role(Role.ASSISTANT)
                and not actor.has_role(Role.MANAGER, Role.ADMIN)}

    def clean(self, ctx: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        account_in: dict[str, Any] = {}
        for key in ACCOUNT_KEYS:
            raw = (values.get(key) or "").strip()
            if not raw:
                continue
            if key in CHOICES:
                value = choice_lookup(key).get(normalize.fold(raw))
                if value is None:
                    errors[key] = [_("“%(value)s” is not one of the choices.") % {"value": raw}]
                    continue
                raw = value
            account_in[key] = raw
        if not account_in.get("name"):
            errors["name"] = [_("This field is required.")]
        account = self._clean_part(Account, account_in, ACCOUNT_FIELDS, errors, "")
        contact_in = {field: values[key].strip() for key, field in CONTACT_KEYS.items()
                      if (values.get(key) or "").strip()}
        contact = None
        if contact_in:
            if not contact_in.get("name"):
                errors["contact_name"] = [_("Give the contact's name with their details.")]
            contact = self._clean_part(Contact, contact_in, CONTACT_FIELDS, errors, "contact_")
        address = self._clean_address(values, errors)
        tags = [t.strip()[:40] for t in _SPLIT_TAGS.split(values.get("tags") or "") if t.strip()]
        owner, team = ctx["default_owner"], None
        owner_text = (values.get("owner") or "").strip()
        if owner_text:
            found = ctx["owners"].get(normalize.fold(owner_text))
            if found is None:
                errors["owner"] = [_("“%(value)s” is not a sales rep you may assign customers "
                                     "to.") % {"value": owner_text}]
            else:
                owner, team = found
        if errors:
            raise RowError(describe(self, errors))
        # Search tokens are made here, with the cleaning: on big files this runs in parallel.
        tokens = value_tokens(
            name=account["name"], name_en=account.get("name_en", ""),
            person=account.get("kind") == Account.Kind.PERSON, phones=[account.get("phone", "")],
            email=account.get("email", ""),
            registration_id=(account.get("registration_id") or "").lower())
        contact_tokens = value_tokens(
            name=contact["name"], name_en=contact.get("name_en", ""), person=True,
            phones=[contact.get("phone", ""), contact.get("mobile", "")],
            email=contact.get("email", "")) if contact else []
        return {"account": account, "contact": contact, "address": address, "tags": tags,
                "owner": owner, "team": team, "tokens": tokens, "contact_tokens": contact_tokens}

    @staticmethod
    def _clean_part(model, data: dict[str, Any], allowed: tuple[str, ...],
                    errors: dict[str, list[str]], prefix: str) -> dict[str, Any]:
        try:
            return clean_fields(model, data, allowed)
        except FieldErrors as exc:
            reverse = {v: k for k, v in CONTACT_KEYS.items()} if prefix else {}
            for field, messages in exc.errors.items():
                errors.setdefault(reverse.get(field, field), []).extend(messages)
            return {}

    @staticmethod
    def _clean_address(values: dict[str, str], errors: dict[str, list[str]],
                       ) -> dict[str, Any] | None:
        parts = {k: (values.get(k) or "").strip() for k in ADDRESS_KEYS}
        if not any(parts.values()):
            return None
        country = (parts.pop("country") or "CN").upper()
        if country in ("中国", "CHINA", "PRC"):
            country = "CN"
        if country != "CN":
            if len(country) != 2:
                errors["country"] = [_("Give the two-letter country code (CN, US, DE …).")]
                return None
            lines = "\n".join(p for p in parts.values() if p)
            return {"country": country, "lines": lines[:2000]}
        province = parts["province"]
        code = province_code(province) if province else None
        if code is None and not province:
            # "上海市浦东新区…" names its province at the start.
            text = parts["street"] or parts["city"]
            for n in (3, 2):
                code = province_code(text[:n]) if text else None
                if code:
                    province = text[:n]
                    break
        if code is None:
            if province:
                errors["province"] = [_("“%(value)s” is not a Chinese province.")
                                      % {"value": province}]
            else:
                errors["province"] = [_("Choose a province.")]
            return None
        for key, limit in (("city", 40), ("district", 40), ("street", 200)):
            if len(parts[key]) > limit:
                errors[key] = [_("At most %(limit)s characters.") % {"limit": limit}]
        return {"country": "CN", "province": province, "province_code": code,
                "city": parts["city"], "district": parts["district"], "street": parts["street"]}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        account, contact = data["account"], data["contact"] or {}
        keys = []
        if account.get("registration_id"):
            keys.append(("registration_id", account["registration_id"]))
        for phone in {account.get("phone"), contact.get("mobile"), contact.get("phone")}:
            if phone:
                keys.append(("phone", phone))
        for email in {(account.get("email") or "").lower(), (contact.get("email") or "").lower()}:
            if email:
                keys.append(("email", email))
        keys.append(("name", normalize.normalize_name(account["name"])))
        return keys

    # --- writing -----------------------------------------------------------------------------

    def write(self, ctx: dict[str, Any], actor: User, items: list[Item], policy: str,
              job_id: int) -> dict[str, Any]:
        found = _find_existing(items)
        _mark_visible(actor, found["info"])
        creates: list[Item] = []
        updates: list[tuple[Item, dict[str, Any]]] = []
        for item in items:
            matches = _matches(item, found)
            decision = _decide(actor, item, matches, policy, ctx)
            if decision == "create":
                creates.append(item)
            elif decision is not None:
                updates.append((item, decision))
        created = _create(ctx, actor, creates, job_id)
        changes = _update(actor, updates)
        return {"created": created, "updated": changes}


def describe(kind: Kind, errors: dict[str, list[str]]) -> str:
    labels = {t.key: str(t.label) for t in kind.targets}
    return "; ".join(f"{labels.get(field, field)}: {' '.join(messages)}"
                     for field, messages in errors.items())


# --- duplicates against the database ---------------------------------------------------------

class _AnyOf(Lookup):
    """``column IN (…)`` with the values as one parameter: an array on PostgreSQL, a JSON list
    on SQLite. A batch looks up tens of thousands of keys; as ``__in`` Django prepared and
    placed each one, about a tenth of the writing process's time."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = sorted(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        # The column is compiled by Django; the values are one bound parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*params, json.dumps(values)]


def _any(column: Any, values: set[str]) -> Q:
    return Q(_AnyOf(F(column) if isinstance(column, str) else column, values))


def _find_existing(items: list[Item]) -> dict[str, Any]:
    wanted: dict[str, set[str]] = {"registration_id": set(), "phone": set(), "email": set(),
                                   "name": set()}
    for item in items:
        for kind, value in item.keys:
            wanted[kind].add(value)
    by_key: dict[tuple[str, str], set[int]] = {}
    info: dict[int, dict[str, Any]] = {}
    fields = ("id", "name", "name_key", "registration_id", "phone", "email", "owner_id",
              "team_id", "in_pool", "created_by_id", "is_active", "version")
    q = Q(pk__in=[])
    if wanted["name"]:
        q |= _any("name_key", wanted["name"]) & Q(is_active=True)
    if wanted["phone"]:
        q |= _any("phone", wanted["phone"]) & Q(is_active=True)
    if wanted["email"]:
        q |= _any(Lower("email"), wanted["email"]) & Q(is_active=True)
    if wanted["registration_id"]:
        q |= _any("registration_id", wanted["registration_id"])  # deleted ones hold it too
    for row in Account.objects.filter(q).values(*fields):
        info[row["id"]] = row
        for kind, value in (("registration_id", row["registration_id"]),
                            ("phone", row["phone"]), ("email", (row["email"] or "").lower()),
                            ("name", row["name_key"])):
            if value and value in wanted[kind] and (row["is_active"] or kind ==
                                                     "registration_id"):
                by_key.setdefault((kind, value), set()).add(row["id"])
    if wanted["phone"] or wanted["email"]:
        cq = Q(pk__in=[])
        if wanted["phone"]:
            cq |= _any("phone", wanted["phone"]) | _any("mobile", wanted["phone"])
        if wanted["email"]:
            cq |= _any(Lower("email"), wanted["email"])
        contact_rows = list(Contact.objects.filter(
            cq, is_active=True, account__is_active=True).values_list(
            "account_id", "phone", "mobile", "email"))
        missing = {r[0] for r in contact_rows} - info.keys()
        for row in Account.objects.filter(pk__in=missing).values(*fields):
            info[row["id"]] = row
        for account_id, phone, mobile, email in contact_rows:
            for kind, value in (("phone", phone), ("phone", mobile),
                                ("email", (email or "").lower())):
                if value and value in wanted[kind]:
                    by_key.setdefault((kind, value), set()).add(account_id)
    return {"by_key": by_key, "info": info}


def _mark_visible(actor: User, info: dict[int, dict[str, Any]]) -> None:
    """Note which matched customers the importer may open: the others are named by their
    owner only, as the duplicates check does."""
    scope = account_scope(actor)
    ids = set(info) if scope is None else set(
        Account.objects.filter(scope, pk__in=list(info)).values_list("pk", flat=True))
    for pk, row in info.items():
        row["visible"] = pk in ids


def _name(account: dict[str, Any]) -> str:
    """The customer's name, or only its owner when the importer may not open it."""
    if account.get("visible"):
        return account["name"]
    return _("a customer of %(owner)s") % {"owner": _owner_name(account["owner_id"])}


def _matches(item: Item, found: dict[str, Any]) -> list[tuple[dict[str, Any], list[str]]]:
    reasons: dict[int, list[str]] = {}
    for kind, value in item.keys:
        for account_id in found["by_key"].get((kind, value), ()):
            if kind not in reasons.setdefault(account_id, []):
                reasons[account_id].append(kind)
    out = [(found["info"][pk], r) for pk, r in reasons.items()]
    out.sort(key=lambda m: (-sum(STRENGTH[r] for r in m[1]), m[0]["id"]))
    return out


def _what(reasons: list[str]) -> str:
    labels = {"registration_id": _("registration id"), "name": _("name"), "phone": _("phone"),
              "email": _("e-mail")}
    return ", ".join(str(labels[r]) for r in reasons)


def _owner_name(user_id: int | None) -> str:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return str(user) if user else "—"


def _decide(actor: User, item: Item, matches: list, policy: str, ctx: dict[str, Any]):
    """"create", a dict of account info to update, or None (item skipped or rejected)."""
    owner = item.data["owner"]
    if item.dup_of:
        row, key = item.dup_of
        if policy != "create" or key == "registration_id":
            item.error = _("Duplicate of row %(row)s in this file (same %(what)s).") % {
                "row": row, "what": _what([key])}
            return None
    for account, reasons in matches:
        if not account["is_active"]:
            item.error = (_("This registration id belongs to a deleted or merged customer "
                            "(%(name)s).") % {"name": account["name"]} if account["visible"]
                          else _("This registration id belongs to a deleted or merged "
                                 "customer."))
            return None
        follower = owner if owner is not None else actor.pk
        other = account["owner_id"] not in (None, follower) and not account["in_pool"]
        if other and set(reasons) & {"registration_id", "name", "phone"} and policy != "skip":
            owner = _owner_name(account["owner_id"])
            item.error = (_("Already followed by %(owner)s: %(name)s (same %(what)s).") % {
                "owner": owner, "name": account["name"], "what": _what(reasons)}
                if account["visible"] else _("Already followed by %(owner)s (same %(what)s).")
                % {"owner": owner, "what": _what(reasons)})
            return None
    if not matches:
        return "create"
    account, reasons = matches[0]
    if policy == "skip":
        item.outcome = "skipped"
        item.error = _("Already in Guanxi: %(name)s (same %(what)s); skipped.") % {
            "name": _name(account), "what": _what(reasons)}
        return None
    if policy == "create":
        if "registration_id" in {r for _a, rs in matches for r in rs}:
            item.error = _("A customer with this registration id already exists: %(name)s.") % {
                "name": _name(account)}
            return None
        return "create"
    if len(matches) > 1:
        item.error = _("Matches several customers (%(names)s); merge them first or import "
                       "without the ambiguous columns.") % {
            "names": ", ".join(_name(m[0]) for m in matches[:3])}
        return None
    target = Account(id=account["id"], owner_id=account["owner_id"], team_id=account["team_id"],
                     in_pool=account["in_pool"], created_by_id=account["created_by_id"])
    if not can_edit_account(actor, target):
        item.error = _("You may not edit the existing customer %(name)s.") % {
            "name": _name(account)}
        return None
    new_reg = item.data["account"].get("registration_id")
    if new_reg and account["registration_id"] and new_reg != account["registration_id"]:
        item.error = _("The existing customer %(name)s has another registration id.") % {
            "name": _name(account)}
        return None
    return account


# --- writing new customers in bulk -----------------------------------------------------------

def _completeness(a: dict[str, Any], contact: dict[str, Any] | None, address: bool,
                  owner: int | None) -> int:
    person = a.get("kind") == Account.Kind.PERSON
    c = contact or {}
    present = {
        "name": True, "registration_id": bool(a.get("registration_id")) or person,
        "industry": bool(a.get("industry")) or person, "size": bool(a.get("size")) or person,
        "phone": bool(a.get("phone") or c.get("mobile") or c.get("phone")),
        "email": bool(a.get("email") or c.get("email")),
        "website": bool(a.get("website")) or person, "address": address,
        "contact": bool(contact),
        "contact_reach": bool((c.get("mobile") or c.get("phone")) and c.get("email")),
        "owner": owner is not None, "attitudes": False, "needs": bool(a.get("needs")),
    }
    return sum(w for k, w in _WEIGHT.items() if present[k])


def _tag_ids(names: set[str]) -> dict[str, int]:
    have = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    for name in names - have.keys():
        have[name] = Tag.objects.get_or_create(name=name)[0].pk
    return have


def _create(ctx: dict[str, Any], actor: User, items: list[Item], job_id: int) -> list[int]:
    if not items:
        return []
    now = timezone.now()
    account_ids = allocate_ids(Account, len(items))
    contact_ids = iter(allocate_ids(Contact, sum(1 for i in items if i.data["contact"])))
    tag_ids = _tag_ids({t for i in items for t in i.data["tags"]})
    event = event_fields(gettext_noop("Customer imported"), None, {"import": job_id})
    accounts, contacts, addresses, events, tags = [], [], [], [], []
    tokens: list[tuple[str, int, int, int, int | None]] = []
    for item, account_id in zip(items, account_ids, strict=True):
        d = item.data
        a = {"source": Source.IMPORT} | d["account"]
        owner = d["owner"]
        team = d["team"] or (ctx["team"] if owner in (None, actor.pk) else None)
        accounts.append(a | {
            "id": account_id, "name_key": normalize.normalize_name(a["name"]),
            "owner_id": owner, "team_id": team, "created_by_id": actor.pk,
            "approval": Approval.PENDING if ctx["pending"] else Approval.APPROVED,
            "last_follow_up_at": now, "created_at": now, "updated_at": now, "custom": {},
            "completeness": _completeness(a, d["contact"], bool(d["address"]), owner)})
        tokens += [(token, field, pos, account_id, None) for token, field, pos in d["tokens"]]
        if d["contact"]:
            contact_id = next(contact_ids)
            c = d["contact"]
            contacts.append(c | {"id": contact_id, "account_id": account_id, "is_primary": True,
                                 "custom": {}, "created_at": now, "updated_at": now})
            tokens += [(token, field, pos, account_id, contact_id)
                       for token, field, pos in d["contact_tokens"]]
        if d["address"]:
            addresses.append(d["address"] | {"account_id": account_id, "is_primary": True})
        tags += [{"account_id": account_id, "tag_id": tag_ids[t]} for t in dict.fromkeys(
            d["tags"])]
        events.append({"account_id": account_id, "kind": "customers.imported", "at": now,
                       "actor_id": actor.pk, **event})
        item.outcome, item.object_id = "imported", account_id
    TABLES[Account].insert(accounts)
    TABLES[Contact].insert(contacts)
    ADDRESS_TABLE.insert(addresses)
    # ~30 tokens a customer, as plain tuples; a big import sets them aside until its end.
    write_tokens(tokens, job_id if ctx.get("tokens_later") else None)
    TAG_TABLE.insert(tags)
    EVENT_TABLE.insert(events)
    return account_ids


# --- updating existing customers ---------------------------------------------------------------

def _update(actor: User, updates: list[tuple[Item, dict[str, Any]]]) -> dict[str, dict]:
    if not updates:
        return {}
    now = timezone.now()
    ids = [info["id"] for _item, info in updates]
    current = Account.objects.in_bulk(ids)
    contacts: dict[int, list[Contact]] = {}
    for contact in Contact.objects.filter(account_id__in=ids, is_active=True):
        contacts.setdefault(contact.account_id, []).append(contact)
    with_address = set(Address.objects.filter(account_id__in=ids).values_list("account_id",
                                                                               flat=True))
    out: dict[str, dict] = {}
    touched = []
    for item, info in updates:
        account = current[info["id"]]
        d = item.data
        changes = {k: [account_value, v] for k, v in d["account"].items()
                   if (account_value := getattr(account, k)) != v}
        fields = {k: v for k, (_old, v) in changes.items()}
        if "name" in fields:
            fields["name_key"] = normalize.normalize_name(fields["name"])
        if fields:
            done = Account.objects.filter(pk=account.pk, version=account.version).update(
                **fields, version=account.version + 1, updated_at=now)
            if not done:
                item.error = _("Someone else changed %(name)s during the import.") % {
                    "name": account.name}
                continue
            account.version += 1
        c = d["contact"]
        existing = contacts.get(account.pk, [])
        if c and not any(_same_contact(c, e) for e in existing):
            contact = Contact.objects.create(account=account, custom={},
                                             is_primary=not existing, **c)
            existing.append(contact)
            changes["contact_added"] = [None, contact.name]
        if d["address"] and account.pk not in with_address:
            Address.objects.create(account=account, is_primary=True, **d["address"])
            with_address.add(account.pk)
            changes["address_added"] = [None, True]
        if d["tags"]:
            before = set(account.tags.values_list("name", flat=True))
            if set(d["tags"]) - before:
                account.tags.add(*_tag_ids(set(d["tags"]) - before).values())
                changes["tags"] = [sorted(before), sorted(before | set(d["tags"]))]
        item.outcome, item.object_id = "updated", account.pk
        if changes:
            touched.append(account)
            out[str(account.pk)] = {k: [_json(o), _json(n)] for k, (o, n) in changes.items()}
            TimelineEvent.objects.create(
                account=account, kind="customers.updated", at=now, actor=actor,
                **event_fields(gettext_noop("Profile updated by an import"), None,
                               {"fields": sorted(changes)}))
    for account in touched:
        account.refresh_from_db(fields=["completeness"])
        refresh_completeness(account)
    reindex_accounts([a.pk for a in touched])
    return out


def _same_contact(new: dict[str, Any], old: Contact) -> bool:
    for key in ("mobile", "phone", "email"):
        if new.get(key) and new[key].lower() in {(old.mobile or "").lower(),
                                                 (old.phone or "").lower(),
                                                 (old.email or "").lower()}:
            return True
    return normalize.fold(new.get("name", "")) == normalize.fold(old.name)


def _json(value: Any) -> Any:
    from guanxi.core.audit import jsonable

    return jsonable(value)


register(Customers())
