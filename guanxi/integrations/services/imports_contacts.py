"""Importing contacts of existing customers. The customer is named by its registration id or
its name; it must be one the importer may edit.

New contacts are written in bulk, a batch at a time, with what adding one by hand gives: the
customer services' field rules (in ``clean``, which may run in worker processes), the 撞单
check on phone numbers (a number of a customer another rep follows is refused), the first
contact made primary, search tokens, the completeness score, a timeline entry and an audit
entry each. Contacts that exist already are updated through the customer services, one at a
time (the "update" policy)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit, normalize
from guanxi.core.cleaning import clean_fields
from guanxi.core.custom_fields import clean_values
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account, Contact, SearchToken, TimelineEvent
from guanxi.customers.permissions import can_edit_account
from guanxi.customers.search import custom_tokens, text_custom_keys, value_tokens
from guanxi.customers.selectors import visible_accounts
from guanxi.customers.services import update_contact
from guanxi.customers.services.common import (
    CONTACT_FIELDS,
    event_fields,
    refresh_completeness_many,
)
from guanxi.integrations.services.imports_kinds import Item, Kind, RowError, Target, register
from guanxi.integrations.services.imports_write import Table, allocate_ids
from guanxi.integrations.services.imports_write import write as write_rows

CONTACT_TARGET = "customers.contact"
CONTACT_TABLE = Table(Contact)
EVENT_TABLE = Table(TimelineEvent, with_id=False)
TOKEN_COLUMNS = ["token", "field", "pos", "account_id", "contact_id"]

T = Target
FIELDS = ("name", "name_en", "title", "department", "gender", "phone", "mobile", "email",
          "wechat", "notes")
GENDERS = {"男": "m", "女": "f", "male": "m", "female": "f", "m": "m", "f": "f", "x": "x"}


def customer_ref(values: dict[str, str], errors: dict[str, list[str]]) -> dict[str, str]:
    """The customer a row belongs to: registration id (checked) or normalised name."""
    reg = (values.get("customer_registration_id") or "").strip()
    name = (values.get("customer") or "").strip()
    if reg:
        try:
            return {"registration_id": normalize.normalize_uscc(reg)}
        except ValueError as exc:
            errors["customer_registration_id"] = [str(exc)]
            return {}
    if name:
        return {"name_key": normalize.normalize_name(name), "name": name}
    errors["customer"] = [_("Name the customer (its name or registration id).")]
    return {}


def resolve_customers(actor: User, items: list[Item]) -> dict[tuple[str, str], list[Account]]:
    """Visible customers named by the batch's rows, by (key kind, value)."""
    regs = {i.data["customer"]["registration_id"] for i in items
            if "registration_id" in i.data["customer"]}
    names = {i.data["customer"]["name_key"] for i in items if "name_key" in i.data["customer"]}
    out: dict[tuple[str, str], list[Account]] = {}
    for account in visible_accounts(actor).filter(
            Q(registration_id__in=regs) | Q(name_key__in=names)).order_by("id"):
        if account.registration_id is not None and account.registration_id in regs:
            out.setdefault(("registration_id", account.registration_id), []).append(account)
        if account.name_key in names:
            out.setdefault(("name_key", account.name_key), []).append(account)
    return out


def pick_customer(actor: User, item: Item, found: dict, *, edit: bool = True) -> Account | None:
    ref = item.data["customer"]
    kind = "registration_id" if "registration_id" in ref else "name_key"
    accounts = found.get((kind, ref[kind]), [])
    if not accounts:
        item.error = _("No customer you can see has this %(what)s.") % {
            "what": _("registration id") if kind == "registration_id" else _("name")}
        return None
    if len(accounts) > 1:
        item.error = _("Several customers have this name; give the registration id instead.")
        return None
    if edit and not can_edit_account(actor, accounts[0]):
        item.error = _("You may not edit %(name)s.") % {"name": accounts[0].name}
        return None
    return accounts[0]


class Contacts(Kind):
    key = "contacts"
    label = gettext_lazy("Contacts")
    grows = (Contact,)
    targets = (
        T("customer", gettext_lazy("Customer name"),
          ("客户名称", "公司名称", "客户", "公司", "customer", "company", "account"),
          required=True),
        T("customer_registration_id", gettext_lazy("Customer registration id (USCC)"),
          ("统一社会信用代码", "信用代码", "uscc", "registration id")),
        T("name", gettext_lazy("Contact name"), ("联系人", "姓名", "联系人姓名", "name",
                                                "contact", "contact name"), required=True),
        T("name_en", gettext_lazy("English name"), ("英文名", "english name")),
        T("title", gettext_lazy("Job title"), ("职务", "职位", "title", "job title", "position")),
        T("department", gettext_lazy("Department"), ("部门", "department")),
        T("gender", gettext_lazy("Gender"), ("性别", "gender", "sex")),
        T("mobile", gettext_lazy("Mobile"), ("手机", "手机号", "mobile", "cell")),
        T("phone", gettext_lazy("Phone"), ("电话", "座机", "办公电话", "phone", "telephone",
                                          "tel")),
        T("email", gettext_lazy("E-mail"), ("邮箱", "电子邮件", "email", "e-mail")),
        T("wechat", gettext_lazy("WeChat"), ("微信", "微信号", "wechat")),
        T("notes", gettext_lazy("Notes"), ("备注", "notes", "remark")),
    )

    def clean(self, ctx: Any, values: dict[str, str]) -> dict[str, Any]:
        from guanxi.integrations.services.imports_customers import describe

        errors: dict[str, list[str]] = {}
        ref = customer_ref(values, errors)
        data = {k: values[k].strip() for k in FIELDS if (values.get(k) or "").strip()}
        if "gender" in data:
            gender = GENDERS.get(data["gender"].lower())
            if gender is None:
                errors["gender"] = [_("Write 男/女 or male/female.")]
            data["gender"] = gender or ""
        if not data.get("name"):
            errors["name"] = [_("This field is required.")]
        try:
            contact = clean_fields(Contact, data, CONTACT_FIELDS)
        except FieldErrors as exc:
            for field, messages in exc.errors.items():
                errors.setdefault(field, []).extend(messages)
            contact = {}
        if errors:
            raise RowError(describe(self, errors))
        tokens = value_tokens(name=contact["name"], name_en=contact.get("name_en", ""),
                              person=True, phones=[contact.get("phone", ""),
                                                   contact.get("mobile", "")],
                              email=contact.get("email", ""))
        return {"customer": ref, "contact": contact, "tokens": tokens}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        ref = "|".join(f"{k}={v}" for k, v in sorted(data["customer"].items()) if k != "name")
        c = data["contact"]
        keys = [(key, f"{ref}|{c[key].lower()}") for key in ("mobile", "phone", "email")
                if c.get(key)]
        return keys + [("name", f"{ref}|{normalize.fold(c['name'])}")]

    def write(self, ctx: Any, actor: User, items: list[Item], policy: str,
              job_id: int) -> dict[str, Any]:
        found = resolve_customers(actor, items)
        picked: list[tuple[Item, Account]] = []
        for item in items:
            if item.dup_of and policy != "create":
                item.error = _("Duplicate of row %(row)s in this file.") % {"row": item.dup_of[0]}
                continue
            account = pick_customer(actor, item, found)
            if account is not None:
                picked.append((item, account))
        ids = {a.pk for _i, a in picked}
        contacts: dict[int, list[Contact]] = {pk: [] for pk in ids}
        for contact in Contact.objects.filter(account_id__in=ids, is_active=True).order_by("id"):
            contacts[contact.account_id].append(contact)
        owners = _phone_owners({p for item, _a in picked for k in ("phone", "mobile")
                                if (p := item.data["contact"].get(k))})
        creates: list[tuple[Item, Account, Contact]] = []
        pending: dict[int, tuple[Item, Contact]] = {}  # contacts of this batch, not yet written
        merged: list[tuple[Item, Contact]] = []
        updated: list[int] = []
        for item, account in picked:
            c = item.data["contact"]
            existing = next((e for e in contacts[account.pk] if _same(c, e)), None)
            if existing is not None and policy == "skip":
                item.outcome = "skipped"
                item.error = _("%(customer)s already has this contact: %(name)s; skipped.") % {
                    "customer": account.name, "name": existing.name}
            elif existing is not None and policy != "create":
                if existing.pk is None:  # added by an earlier row of this batch
                    pending[id(existing)][0].data["contact"].update(c)
                    merged.append((item, existing))
                    continue
                try:
                    with transaction.atomic():
                        update_contact(actor, existing, c, existing.version)
                except DomainError as exc:
                    item.error = exc.message
                else:
                    item.outcome, item.object_id = "updated", existing.pk
                    updated.append(existing.pk)
            elif (refused := _owned_by_other(account, c, owners)) is not None:
                item.error = refused
            else:
                contact = Contact(account_id=account.pk, **c)
                contacts[account.pk].append(contact)
                for key in ("phone", "mobile"):
                    if c.get(key):
                        owners.setdefault(c[key], {})[account.pk] = account
                creates.append((item, account, contact))
                pending[id(contact)] = (item, contact)
        created = _create(actor, creates, contacts) if creates else []
        for item, contact in merged:
            item.outcome, item.object_id = "updated", contact.pk
        return {"created": created, "updated": updated}


def _phone_owners(phones: set[str]) -> dict[str, dict[int, Account]]:
    """Active customers by phone number: their own, or one of their contacts'."""
    if not phones:
        return {}
    pairs = list(Contact.objects.filter(Q(phone__in=phones) | Q(mobile__in=phones),
                                        is_active=True, account__is_active=True)
                 .values_list("account_id", "phone", "mobile"))
    by_id = {a.pk: a for a in Account.objects.filter(
        Q(phone__in=phones) | Q(pk__in={p[0] for p in pairs}), is_active=True)
        .select_related("owner")}
    out: dict[str, dict[int, Account]] = {}
    for account in by_id.values():
        if account.phone in phones:
            out.setdefault(account.phone, {})[account.pk] = account
    for account_id, phone, mobile in pairs:
        for number in (phone, mobile):
            if number in phones and account_id in by_id:
                out.setdefault(number, {})[account_id] = by_id[account_id]
    return out


def _owned_by_other(account: Account, contact: dict[str, Any],
                    owners: dict[str, dict[int, Account]]) -> str | None:
    """The customer services' 撞单 check: a number of a customer another rep follows."""
    for key in ("mobile", "phone"):
        for pk, other in sorted(owners.get(contact.get(key) or "", {}).items()):
            if pk != account.pk and other.owner_id not in (None, account.owner_id) \
                    and not other.in_pool:
                return _("This number belongs to %(name)s, which %(owner)s follows. Ask them or "
                         "your manager before adding it here.") % {
                    "name": other.name, "owner": other.owner}
    return None


def _create(actor: User, creates: list[tuple[Item, Account, Contact]],
            contacts: dict[int, list[Contact]]) -> list[int]:
    custom = clean_values(CONTACT_TARGET, {})  # the custom fields' defaults, if any
    custom_keys = text_custom_keys()[CONTACT_TARGET]
    now = timezone.now()
    ids = allocate_ids(Contact, len(creates))
    rows, tokens, events, entries = [], [], [], []
    for (item, account, contact), pk in zip(creates, ids, strict=True):
        c = item.data["contact"]
        fields = dict(c, custom=custom)
        if contacts[account.pk][0] is contact:  # the customer had no active contact
            fields["is_primary"] = True
        contact.pk = pk
        rows.append(fields | {"id": pk, "account_id": account.pk, "created_at": now,
                              "updated_at": now})
        tokens += [(t, f, p, account.pk, pk) for t, f, p in item.data["tokens"]]
        tokens += [(t, f, p, account.pk, pk) for t, f, p in custom_tokens(custom, custom_keys)]
        events.append({"account_id": account.pk, "contact_id": pk, "actor_id": actor.pk,
                       "kind": "customers.contact_added", "at": now, **event_fields(
                           gettext_noop("Contact added: %(name)s"), {"name": c["name"]}, None)})
        entries.append(AuditEntry(
            actor=actor, action="customers.contact.created", object_type="customers.contact",
            object_id=str(pk), object_repr=c["name"][:200],
            changes={k: [None, audit.jsonable(v)] for k, v in fields.items()}))
        item.outcome, item.object_id = "imported", pk
    CONTACT_TABLE.insert(rows)
    write_rows(SearchToken._meta.db_table, TOKEN_COLUMNS, tokens)
    EVENT_TABLE.insert(events)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    refresh_completeness_many(sorted(contacts))
    return ids


def _same(new: dict[str, Any], old: Contact) -> bool:
    for key in ("mobile", "phone", "email"):
        if new.get(key) and new[key].lower() in {(old.mobile or "").lower(),
                                                 (old.phone or "").lower(),
                                                 (old.email or "").lower()}:
            return True
    return normalize.fold(new["name"]) == normalize.fold(old.name)


register(Contacts())
