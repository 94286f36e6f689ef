"""Importing contacts of existing customers, through the customer services one row at a time
(each row in its own savepoint: audit trail, timeline, search index and the 撞单 check on
phone numbers as when a contact is added by hand). The customer is named by its registration
id or its name; it must be one the importer may edit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.core import normalize
from guanxi.core.cleaning import clean_fields
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.customers.models import Account, Contact
from guanxi.customers.permissions import can_edit_account
from guanxi.customers.selectors import visible_accounts
from guanxi.customers.services import add_contact, update_contact
from guanxi.customers.services.common import CONTACT_FIELDS
from guanxi.integrations.services.imports_kinds import Item, Kind, RowError, Target, register

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
        return {"customer": ref, "contact": contact}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        ref = "|".join(f"{k}={v}" for k, v in sorted(data["customer"].items()) if k != "name")
        c = data["contact"]
        keys = [(key, f"{ref}|{c[key].lower()}") for key in ("mobile", "phone", "email")
                if c.get(key)]
        return keys + [("name", f"{ref}|{normalize.fold(c['name'])}")]

    def write(self, ctx: Any, actor: User, items: list[Item], policy: str,
              job_id: int) -> dict[str, Any]:
        found = resolve_customers(actor, items)
        created, updated = [], []
        for item in items:
            if item.dup_of and policy != "create":
                item.error = _("Duplicate of row %(row)s in this file.") % {"row": item.dup_of[0]}
                continue
            account = pick_customer(actor, item, found)
            if account is None:
                continue
            c = item.data["contact"]
            existing = next((e for e in account.contacts.filter(is_active=True)
                             if _same(c, e)), None)
            try:
                with transaction.atomic():
                    if existing is None or policy == "create":
                        contact = add_contact(actor, account, c)
                        item.outcome = "imported"
                        created.append(contact.pk)
                    elif policy == "skip":
                        item.outcome = "skipped"
                        item.error = _("%(customer)s already has this contact: %(name)s; "
                                       "skipped.") % {"customer": account.name,
                                                      "name": existing.name}
                        continue
                    else:
                        contact = update_contact(actor, existing, c, existing.version)
                        item.outcome = "updated"
                        updated.append(contact.pk)
                    item.object_id = contact.pk
            except DomainError as exc:
                item.error = exc.message
        return {"created": created, "updated": updated}


def _same(new: dict[str, Any], old: Contact) -> bool:
    for key in ("mobile", "phone", "email"):
        if new.get(key) and new[key].lower() in {(old.mobile or "").lower(),
                                                 (old.phone or "").lower(),
                                                 (old.email or "").lower()}:
            return True
    return normalize.fold(new["name"]) == normalize.fold(old.name)


register(Contacts())
