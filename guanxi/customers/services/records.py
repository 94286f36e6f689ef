"""Writes on customers, contacts, addresses, relationships, tags and shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit, normalize
from guanxi.core.access import require
from guanxi.core.cleaning import clean_fields
from guanxi.core.custom_fields import clean_values
from guanxi.core.errors import Conflict, DomainError, FieldErrors
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers import permissions as perms
from guanxi.customers.models import (
    Account,
    AccountShare,
    Address,
    Approval,
    Contact,
    Relationship,
    Tag,
)
from guanxi.customers.search import reindex_accounts
from guanxi.customers.services.common import (
    ACCOUNT_FIELDS,
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    TERMS_FIELDS,
    add_event,
    refresh_completeness,
)
from guanxi.customers.services.duplicates import Match, find_duplicates

ACCOUNT_TARGET = "customers.account"
CONTACT_TARGET = "customers.contact"


def _snapshot(obj, fields) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def check_duplicates(actor: User, *, name: str, registration_id: str | None, phone: str,
                     email: str, exclude_id: int | None = None, force: bool = False,
                     owner: User | None = None) -> list[Match]:
    """Refuse a customer another rep already owns (撞单) or one with the same registration id;
    refuse other likely duplicates unless ``force``. Returns the matches that were allowed.
    ``owner`` is who will follow the customer (an assistant enters customers for reps)."""
    matches = find_duplicates(name=name, registration_id=registration_id, phone=phone,
                              email=email, exclude_id=exclude_id)
    follower = (owner or actor).pk
    for match in matches:
        other = match.account
        owned_by_other = other.owner_id not in (None, follower) and not other.in_pool
        if owned_by_other and set(match.reasons) & {"registration_id", "name", "phone"}:
            raise Conflict(
                _("This customer is already followed by %(owner)s (same %(what)s). Ask them or "
                  "your manager instead of entering it again.")
                % {"owner": other.owner, "what": match.describe()},
                field=match.reasons[0], code="owned_by_other")
        if "registration_id" in match.reasons:
            raise Conflict(
                _("A customer with this registration id already exists: %(name)s.")
                % {"name": other.name}, field="registration_id", code="duplicate")
    if matches and not force:
        first = matches[0]
        raise Conflict(
            _("Possible duplicate of %(name)s (same %(what)s). Open it, or confirm to create "
              "a new customer anyway.") % {"name": first.account.name,
                                           "what": first.describe()},
            field=first.reasons[0], code="duplicate")
    return matches


@transaction.atomic
def create_account(actor: User, data: dict[str, Any], *, contacts: Sequence[dict[str, Any]] = (),
                   addresses: Sequence[dict[str, Any]] = (), tags: Sequence[str] = (),
                   custom: dict[str, Any] | None = None, owner: User | None = None,
                   force: bool = False) -> Account:
    """Enter a new customer with its first contacts and addresses in one step.

    A customer entered by a sales assistant, or one a rep enters with commercial terms beyond
    the defaults, waits for a manager's approval (pending) and cannot get orders until then.
    """
    require(perms.can_create_account(actor), _("Your role cannot enter customers."))
    fields = clean_fields(Account, data, ACCOUNT_FIELDS + TERMS_FIELDS)
    if not fields.get("name"):
        raise FieldErrors({"name": [_("This field is required.")]})
    custom_values = clean_values(ACCOUNT_TARGET, custom or {})
    contact_rows = [clean_fields(Contact, c, CONTACT_FIELDS) for c in contacts]
    address_rows = [_clean_address(a) for a in addresses]
    if owner is None and actor.has_role(Role.REP, Role.MANAGER):
        owner = actor
    if owner is not None and owner != actor:
        require(perms.can_enter_for_others(actor),
                _("Only assistants and managers enter customers for someone else."))
    first_contact = contact_rows[0] if contact_rows else {}
    check_duplicates(actor, name=fields["name"], registration_id=fields.get("registration_id"),
                     phone=fields.get("phone") or first_contact.get("mobile", ""),
                     email=fields.get("email", ""), force=force, owner=owner)
    team = (owner.team if owner else None) or actor.team
    terms_raised = (fields.get("discount_rate") or 0) > 0 or (fields.get("credit_limit") or 0) > 0
    needs_approval = not actor.has_role(Role.MANAGER, Role.ADMIN) and (
        actor.has_role(Role.ASSISTANT) or terms_raised)

    account = Account(**fields, custom=custom_values, owner=owner, team=team,
                      created_by=actor, name_key=normalize.normalize_name(fields["name"]),
                      approval=Approval.PENDING if needs_approval else Approval.APPROVED,
                      last_follow_up_at=timezone.now())
    account.save()
    for rows in (contact_rows, address_rows):  # exactly one primary of each
        first = next((i for i, r in enumerate(rows) if r.get("is_primary")), 0)
        for i, row in enumerate(rows):
            row["is_primary"] = i == first
    for row in contact_rows:
        Contact.objects.create(account=account, custom={}, **row)
    for row in address_rows:
        Address.objects.create(account=account, **row)
    if tags:
        set_tags(actor, account, list(tags), log=False)
    refresh_completeness(account)
    reindex_accounts([account.pk])
    audit.log(actor, "customers.account.created", account,
              changes={k: [None, audit.jsonable(v)] for k, v in fields.items()})
    return account


def _clean_address(data: dict[str, Any]) -> dict[str, Any]:
    row = clean_fields(Address, data, ADDRESS_FIELDS)
    country = (row.get("country") or "CN").upper()
    row["country"] = country
    if country == "CN":
        from guanxi.customers.regions import province_code
        if not row.get("province"):
            raise FieldErrors({"province": [_("Choose a province.")]})
        code = province_code(row["province"])
        if code is None:
            raise FieldErrors({"province": [_("“%(value)s” is not a Chinese province.")
                                            % {"value": row["province"]}]})
        row["province_code"] = code
    elif not row.get("lines"):
        raise FieldErrors({"lines": [_("Enter the address.")]})
    return row


@transaction.atomic
def update_account(actor: User, account: Account, data: dict[str, Any], version: int,
                   custom: dict[str, Any] | None = None) -> Account:
    """Edit the profile. Commercial terms are not edited here (see the terms change request),
    except while a new customer still waits for approval."""
    require(perms.can_edit_account(actor, account))
    allowed = ACCOUNT_FIELDS + (TERMS_FIELDS if account.is_pending else ())
    fields = clean_fields(Account, data, allowed)
    if "name" in fields and not fields["name"]:
        raise FieldErrors({"name": [_("This field is required.")]})
    if custom is not None:
        fields["custom"] = clean_values(ACCOUNT_TARGET, custom, account.custom, partial=True)
    changes = audit.diff(_snapshot(account, fields), fields)
    if not changes:
        check_version(account, version)
        return account
    if {"name", "registration_id", "phone"} & changes.keys():
        check_duplicates(actor, name=fields.get("name", ""),
                         registration_id=fields.get("registration_id")
                         if "registration_id" in changes else None,
                         phone=fields.get("phone", "") if "phone" in changes else "",
                         email="", exclude_id=account.pk, force=True)
    if "name" in fields:
        fields["name_key"] = normalize.normalize_name(fields["name"])
    save_versioned(account, version, fields)
    refresh_completeness(account)
    if {"name", "name_en", "phone", "email", "registration_id", "kind", "custom"} & changes.keys():
        reindex_accounts([account.pk])
    audit.log(actor, "customers.account.updated", account, changes=changes)
    return account


@transaction.atomic
def assign_owner(actor: User, account: Account, owner: User | None, version: int) -> Account:
    """Hand a customer to another rep (managers and administrators)."""
    require(perms.can_manage_account(actor, account),
            _("Only the team's manager can reassign customers."))
    if owner is not None and not owner.is_active:
        raise FieldErrors({"owner": [_("This user is inactive.")]})
    old = account.owner
    save_versioned(account, version, {"owner": owner, "team": (owner.team if owner and
                                                                owner.team else account.team),
                                      "in_pool": owner is None and account.in_pool,
                                      "claimed_from_pool": False})
    audit.log(actor, "customers.account.assigned", account,
              changes={"owner": [old.pk if old else None, owner.pk if owner else None]})
    return account


@transaction.atomic
def hand_over_customers(actor: User, user: User, to: User) -> int:
    """Give every active customer ``user`` owns to ``to`` (someone leaving the company)."""
    moved = 0
    for account in Account.objects.filter(owner=user, is_active=True).order_by("pk"):
        assign_owner(actor, account, to, account.version)
        moved += 1
    return moved


def owned_customers(user: User) -> int:
    return Account.objects.filter(owner=user, is_active=True).count()


@transaction.atomic
def deactivate_account(actor: User, account: Account, version: int) -> None:
    require(perms.can_manage_account(actor, account), _("Only a manager can delete a customer."))
    # The registration id is unique: free it so the company can be entered again; the
    # audit entry keeps it.
    old_id = account.registration_id
    save_versioned(account, version, {"is_active": False, "registration_id": None})
    reindex_accounts([account.pk])
    audit.log(actor, "customers.account.deleted", account,
              changes={"is_active": [True, False], "registration_id": [old_id, None]})


@transaction.atomic
def log_follow_up(actor: User, account: Account, text: str, contact: Contact | None = None,
                  ) -> None:
    """A note of a call, visit or message: it keeps the customer out of the public pool."""
    require(perms.can_follow_up(actor, account))
    text = (text or "").strip()
    if not text:
        raise FieldErrors({"text": [_("Write what happened.")]})
    if contact is not None and contact.account_id != account.pk:
        raise FieldErrors({"contact": [_("This contact belongs to another customer.")]})
    Account.objects.filter(pk=account.pk).update(last_follow_up_at=timezone.now())
    add_event(account, "customers.note", gettext_noop("Follow-up"), actor, body=text[:5000],
              contact=contact)


# --- Contacts -------------------------------------------------------------------------------

def _refuse_phones_of_other_reps(account: Account, fields: dict[str, Any]) -> None:
    """撞单 through a contact: a phone that belongs to a customer another rep follows means
    the same customer is being chased twice."""
    for key in ("mobile", "phone"):
        if not fields.get(key):
            continue
        for match in find_duplicates(phone=fields[key], exclude_id=account.pk):
            other = match.account
            if other.owner_id not in (None, account.owner_id) and not other.in_pool:
                raise Conflict(
                    _("This number belongs to %(name)s, which %(owner)s follows. Ask them or "
                      "your manager before adding it here.")
                    % {"name": other.name, "owner": other.owner},
                    field=key, code="owned_by_other")


@transaction.atomic
def add_contact(actor: User, account: Account, data: dict[str, Any],
                custom: dict[str, Any] | None = None) -> Contact:
    require(perms.can_edit_account(actor, account))
    fields = clean_fields(Contact, data, CONTACT_FIELDS)
    if not fields.get("name"):
        raise FieldErrors({"name": [_("This field is required.")]})
    fields["custom"] = clean_values(CONTACT_TARGET, custom or {})
    _refuse_phones_of_other_reps(account, fields)
    if fields.get("is_primary"):
        account.contacts.update(is_primary=False)
    elif not account.contacts.filter(is_active=True).exists():
        fields["is_primary"] = True
    contact = Contact.objects.create(account=account, **fields)
    refresh_completeness(account)
    reindex_accounts([account.pk])
    audit.log(actor, "customers.contact.created", contact,
              changes={k: [None, audit.jsonable(v)] for k, v in fields.items()})
    return contact


@transaction.atomic
def update_contact(actor: User, contact: Contact, data: dict[str, Any], version: int,
                   custom: dict[str, Any] | None = None) -> Contact:
    require(perms.can_edit_account(actor, contact.account))
    fields = clean_fields(Contact, data, CONTACT_FIELDS)
    if "name" in fields and not fields["name"]:
        raise FieldErrors({"name": [_("This field is required.")]})
    if custom is not None:
        fields["custom"] = clean_values(CONTACT_TARGET, custom, contact.custom, partial=True)
    changes = audit.diff(_snapshot(contact, fields), fields)
    _refuse_phones_of_other_reps(contact.account, {k: fields[k] for k in ("phone", "mobile")
                                                   if k in changes})
    save_versioned(contact, version, fields)
    if fields.get("is_primary"):
        contact.account.contacts.exclude(pk=contact.pk).update(is_primary=False)
    if changes:
        refresh_completeness(contact.account)
        reindex_accounts([contact.account_id])
        audit.log(actor, "customers.contact.updated", contact, changes=changes)
    return contact


@transaction.atomic
def remove_contact(actor: User, contact: Contact, version: int) -> None:
    require(perms.can_edit_account(actor, contact.account))
    save_versioned(contact, version, {"is_active": False, "is_primary": False})
    refresh_completeness(contact.account)
    reindex_accounts([contact.account_id])
    audit.log(actor, "customers.contact.deleted", contact)


# --- Addresses ------------------------------------------------------------------------------

@transaction.atomic
def add_address(actor: User, account: Account, data: dict[str, Any]) -> Address:
    require(perms.can_edit_account(actor, account))
    row = _clean_address(data)
    if row.get("is_primary") or not account.addresses.exists():
        account.addresses.update(is_primary=False)
        row["is_primary"] = True
    address = Address.objects.create(account=account, **row)
    refresh_completeness(account)
    audit.log(actor, "customers.address.created", address, changes={
        k: [None, v] for k, v in row.items()})
    return address


@transaction.atomic
def update_address(actor: User, address: Address, data: dict[str, Any], version: int) -> Address:
    require(perms.can_edit_account(actor, address.account))
    merged = {f: getattr(address, f) for f in ADDRESS_FIELDS} | data
    row = _clean_address(merged)
    changes = audit.diff(_snapshot(address, row), row)
    save_versioned(address, version, row)
    if row.get("is_primary"):
        address.account.addresses.exclude(pk=address.pk).update(is_primary=False)
    if changes:
        audit.log(actor, "customers.address.updated", address, changes=changes)
    return address


@transaction.atomic
def remove_address(actor: User, address: Address, version: int | None = None) -> None:
    require(perms.can_edit_account(actor, address.account))
    check_version(address, version)
    account = address.account
    audit.log(actor, "customers.address.deleted", address)
    address.delete()
    refresh_completeness(account)


# --- Relationships, tags, shares ------------------------------------------------------------

RELATIONSHIP_TITLES: dict[str, str] = {
    Relationship.Kind.FAMILY: gettext_noop("%(a)s and %(b)s are family"),
    Relationship.Kind.FRIEND: gettext_noop("%(a)s and %(b)s are friends"),
    Relationship.Kind.COLLEAGUE: gettext_noop("%(a)s and %(b)s are colleagues"),
    Relationship.Kind.REFERRED_BY: gettext_noop("%(a)s was referred by %(b)s"),
}


@transaction.atomic
def add_relationship(actor: User, from_contact: Contact, to_contact: Contact, kind: str,
                     note: str = "") -> Relationship:
    require(perms.can_edit_account(actor, from_contact.account))
    if kind not in Relationship.Kind.values:
        raise FieldErrors({"kind": [_("Choose family, friend, colleague or referred by.")]})
    if from_contact.pk == to_contact.pk:
        raise FieldErrors({"to_contact": [_("A person cannot be related to themself.")]})
    rel, created = Relationship.objects.get_or_create(
        from_contact=from_contact, to_contact=to_contact, kind=kind,
        defaults={"note": note[:200]})
    if not created:
        raise Conflict(_("This relationship is already recorded."), field="to_contact")
    audit.log(actor, "customers.relationship.created", rel,
              data={"from": from_contact.pk, "to": to_contact.pk, "kind": kind})
    return rel


@transaction.atomic
def remove_relationship(actor: User, relationship: Relationship) -> None:
    require(perms.can_edit_account(actor, relationship.from_contact.account))
    audit.log(actor, "customers.relationship.deleted", relationship)
    relationship.delete()


def set_tags(actor: User, account: Account, names: list[str], log: bool = True) -> list[Tag]:
    require(perms.can_edit_account(actor, account))
    clean = []
    for name in names:
        name = str(name).strip()
        if not name:
            continue
        if len(name) > 40:
            raise FieldErrors({"tags": [_("A tag has at most 40 characters.")]})
        clean.append(name)
    with transaction.atomic():
        before = sorted(account.tags.values_list("name", flat=True))
        tags = [Tag.objects.get_or_create(name=n)[0] for n in dict.fromkeys(clean)]
        account.tags.set(tags)
        after = sorted(t.name for t in tags)
        if log and before != after:
            audit.log(actor, "customers.account.tagged", account, changes={"tags": [before, after]})
    return tags


@transaction.atomic
def share_account(actor: User, account: Account, user: User) -> None:
    require(perms.can_edit_account(actor, account))
    if user.pk == account.owner_id:
        raise FieldErrors({"user": [_("The owner already sees this customer.")]})
    _share, created = AccountShare.objects.get_or_create(account=account, user=user)
    if created:
        audit.log(actor, "customers.account.shared", account, data={"user": user.pk})


@transaction.atomic
def unshare_account(actor: User, account: Account, user: User) -> None:
    require(perms.can_edit_account(actor, account))
    if AccountShare.objects.filter(account=account, user=user).delete()[0]:
        audit.log(actor, "customers.account.unshared", account, data={"user": user.pk})


def ensure_can_order(account: Account) -> None:
    """Called by the order services: a pending, rejected or deleted customer gets no order."""
    if not account.is_active:
        raise DomainError(_("This customer has been deleted or merged."), field="account",
                          code="inactive_customer")
    if account.approval == Approval.PENDING:
        raise DomainError(_("This customer is waiting for approval; no order can be placed "
                            "until a manager approves it."), field="account",
                          code="customer_pending")
    if account.approval == Approval.REJECTED:
        raise DomainError(_("This customer was not approved; no order can be placed."),
                          field="account", code="customer_rejected")

