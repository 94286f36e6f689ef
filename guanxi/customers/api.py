"""REST endpoints for customers, contacts, addresses, relationships, search, duplicates,
approvals, terms change requests, merge and the public pool.

Each endpoint reads through the scoped selectors (404 for missing and not-visible alike),
validates its input with a schema, calls one service, and answers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.accounts.models import User
from guanxi.accounts.selectors import colleagues
from guanxi.core.access import get_visible
from guanxi.core.errors import FieldErrors
from guanxi.core.schemas import Id, Int, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers import permissions as perms
from guanxi.customers import schemas as s
from guanxi.customers import search_providers, selectors, services
from guanxi.customers.filters import (
    normalized_duplicate_query,
    visible_addresses,
    visible_relationships,
)
from guanxi.customers.models import Account, PoolPolicy, TermsChangeRequest
from guanxi.customers.services.pool import claimed_count

router = Router(tags=["customers"])

Sort = Literal["name", "-name", "updated_at", "-updated_at", "created_at", "-created_at",
               "completeness", "-completeness"]


class CustomerFilters(Schema):
    q: str | None = Field(None, description="Name, pinyin, initials, phone, e-mail or USCC")
    owner: str | None = Field(None, description="A user id, or `me`")
    team: Id | None = Field(None, description="A team id; includes the teams below it")
    industry: str | None = None
    size: str | None = None
    source: str | None = None
    approval: str | None = None
    standing: str | None = Field(None, description="prospect, lead (线索客户) or customer")
    in_pool: bool | None = None
    tag: str | None = None
    province: str | None = Field(None, description="Chinese or English name, or code")
    completeness_lt: Int | None = None
    # Customer value, from the latest analysis run (see /api/analytics/customers).
    segment: str | None = Field(None, description="RFM segment key, e.g. `champions`")
    lifecycle: str | None = Field(None, description="exploration, development, stable, decline")
    value_type: str | None = Field(None, description="value-matrix type, e.g. `visionary`")
    abc: str | None = Field(None, description="ABC class by revenue: A, B or C")
    rfm: str | None = Field(None, description="RFM code, e.g. `545`")
    cluster: Int | None = None
    clv_min: Decimal | None = None
    clv_max: Decimal | None = None
    churn_min: float | None = Field(None, ge=0, le=1, description="churn risk at least")
    recommend: Id | None = Field(None, description="A product id: customers the latest "
                                 "analysis recommends it to (cross-sell)")
    sort: Sort = "-updated_at"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _actor(request: HttpRequest) -> User:
    return request.auth  # set by whichever authenticator accepted the request


def _colleague(actor: User, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = colleagues(actor).filter(pk=user_id).first()
    if user is None:
        raise FieldErrors({field: [_("No active user with this id.")]})
    return user


def _detail(account: Account) -> dict[str, Any]:
    contacts = list(account.contacts.filter(is_active=True))
    addresses = selectors.addresses(account)
    # The score from the rows read for the answer anyway, not from two more queries.
    score, missing = services.completeness(account, contacts, has_address=bool(addresses))
    extra = {
        "terms": account,
        "tags": list(account.tags.values_list("name", flat=True)),
        "contacts": contacts,
        "addresses": addresses,
        "shared_with": [share.user for share in account.shares.select_related("user")],
        "completeness": score,
        "missing": missing,
    }
    return {name: extra[name] if name in extra else getattr(account, name)
            for name in s.CustomerOut.model_fields}


def _account(request: HttpRequest, customer_id: int) -> Account:
    return selectors.get_account(_actor(request), customer_id)


# --- Customers ------------------------------------------------------------------------------

@router.get("/customers", response=s.CustomerPage)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]):
    """Customers you may see, filtered and sorted; custom fields filter as `cf_<key>=value`.
    Pages are keyset cursors: follow `next` until it is null."""
    user = _actor(request)
    # The query string as given: the same parser reads it for the page and the export.
    qs = selectors.filter_customers(user, request.GET)
    page = selectors.customer_list_rows(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/customers", response={201: s.CustomerOut})
def create_customer(request: HttpRequest, payload: s.CustomerIn):
    actor = _actor(request)
    data = payload.model_dump(exclude_unset=True)
    extra = {k: data.pop(k, default) for k, default in
             (("contacts", []), ("addresses", []), ("tags", []), ("custom", {}),
              ("owner_id", None), ("force", False))}
    account = services.create_account(
        actor, data, contacts=extra["contacts"], addresses=extra["addresses"],
        tags=extra["tags"], custom=extra["custom"],
        owner=_colleague(actor, extra["owner_id"], "owner_id"), force=extra["force"])
    account.refresh_from_db()  # stored forms of defaults (0.00, not 0)
    return Status(201, _detail(account))


@router.get("/customers/duplicates", response=list[s.DuplicateOut])
def duplicates(request: HttpRequest, name: str = "", registration_id: str = "",
               phone: str = "", email: str = ""):
    """Existing customers a new one may duplicate. Records you may not open are named only by
    their owner."""
    user = _actor(request)
    query = normalized_duplicate_query(name, registration_id, phone, email)
    matches = services.find_duplicates(**query) if any(query.values()) else []
    visible = set(selectors.visible_accounts(user).filter(
        pk__in=[m.account.pk for m in matches]).values_list("pk", flat=True))
    out = []
    for match in matches:
        account = match.account
        owner = str(account.owner) if account.owner else None
        if account.pk in visible:
            out.append({"visible": True, "reasons": match.reasons, "id": account.pk,
                        "name": account.name, "owner_name": owner,
                        "message": _("Possible duplicate of %(name)s (same %(what)s).")
                        % {"name": account.name, "what": match.describe()}})
        else:
            out.append({"visible": False, "reasons": match.reasons, "id": None, "name": None,
                        "owner_name": owner,
                        "message": _("Owned by another rep: %(owner)s (same %(what)s).")
                        % {"owner": owner or _("nobody"), "what": match.describe()}})
    return out


@router.get("/customers/{customer_id}", response=s.CustomerOut)
def get_customer(request: HttpRequest, customer_id: Id):
    return _detail(_account(request, customer_id))


@router.patch("/customers/{customer_id}", response=s.CustomerOut)
def update_customer(request: HttpRequest, customer_id: Id, payload: s.CustomerPatch):
    """Edit the profile (and the terms while the customer waits for approval)."""
    account = _account(request, customer_id)
    data = payload.model_dump(exclude_unset=True)
    version, custom = data.pop("version"), data.pop("custom", None)
    account = services.update_account(_actor(request), account, data, version, custom=custom)
    return _detail(account)


@router.delete("/customers/{customer_id}", response={204: None})
def delete_customer(request: HttpRequest, customer_id: Id, version: Version):
    """Deactivate a customer (managers)."""
    services.deactivate_account(_actor(request), _account(request, customer_id), version)
    return Status(204, None)


@router.get("/customers/{customer_id}/timeline", response=s.TimelinePage)
def timeline(request: HttpRequest, customer_id: Id, before_id: Id | None = None,
             limit: int = Query(50, ge=1, le=200)):
    events = selectors.timeline(_account(request, customer_id), limit + 1, before_id)
    more = len(events) > limit
    events = events[:limit]
    return {"items": events, "next_before_id": events[-1].pk if more else None}


@router.post("/customers/{customer_id}/follow-ups", response={201: s.TimelineEventOut})
def follow_up(request: HttpRequest, customer_id: Id, payload: s.FollowUpIn):
    """Log a call, visit or message; it keeps the customer out of the public pool."""
    account = _account(request, customer_id)
    contact = None
    if payload.contact_id is not None:
        contact = account.contacts.filter(pk=payload.contact_id, is_active=True).first()
        if contact is None:
            raise FieldErrors({"contact_id": [_("This contact belongs to another customer.")]})
    services.log_follow_up(_actor(request), account, payload.text, contact)
    return Status(201, selectors.timeline(account, 1)[0])


@router.put("/customers/{customer_id}/tags", response=list[str])
def set_tags(request: HttpRequest, customer_id: Id, payload: s.TagsIn):
    tags = services.set_tags(_actor(request), _account(request, customer_id), payload.tags)
    return [t.name for t in tags]


@router.post("/customers/{customer_id}/shares", response={201: list[s.UserRef]})
def share(request: HttpRequest, customer_id: Id, payload: s.ShareIn):
    actor, account = _actor(request), _account(request, customer_id)
    services.share_account(actor, account, _colleague(actor, payload.user_id, "user_id"))
    return Status(201, [sh.user for sh in account.shares.select_related("user")])


@router.delete("/customers/{customer_id}/shares/{user_id}", response={204: None})
def unshare(request: HttpRequest, customer_id: Id, user_id: Id):
    actor, account = _actor(request), _account(request, customer_id)
    services.unshare_account(actor, account, _colleague(actor, user_id, "user_id"))
    return Status(204, None)


@router.put("/customers/{customer_id}/owner", response=s.CustomerOut)
def assign_owner(request: HttpRequest, customer_id: Id, payload: s.OwnerIn):
    """Hand the customer to another rep (the team's manager)."""
    actor, account = _actor(request), _account(request, customer_id)
    owner = _colleague(actor, payload.owner_id, "owner_id")
    return _detail(services.assign_owner(actor, account, owner, payload.version))


# --- Contacts, addresses, relationships -----------------------------------------------------

@router.get("/contacts", response=s.ContactPage, tags=["contacts"])
def list_contacts(request: HttpRequest, q: str | None = None, account_id: Id | None = None,
                  cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    user = _actor(request)
    qs = selectors.filter_contacts(user, request.GET).select_related("account")
    page = keyset_page(qs, "name", cursor, limit)
    return {"items": page.items, "next": page.next}


@router.post("/customers/{customer_id}/contacts", response={201: s.ContactListItem},
             tags=["contacts"])
def add_contact(request: HttpRequest, customer_id: Id, payload: s.ContactIn):
    data = payload.model_dump(exclude_unset=True)
    custom = data.pop("custom", None)
    contact = services.add_contact(_actor(request), _account(request, customer_id), data,
                                   custom=custom)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response=s.ContactListItem, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: Id):
    return selectors.get_contact(_actor(request), contact_id)


@router.patch("/contacts/{contact_id}", response=s.ContactListItem, tags=["contacts"])
def update_contact(request: HttpRequest, contact_id: Id, payload: s.ContactPatch):
    contact = selectors.get_contact(_actor(request), contact_id)
    data = payload.model_dump(exclude_unset=True)
    version, custom = data.pop("version"), data.pop("custom", None)
    return services.update_contact(_actor(request), contact, data, version, custom=custom)


@router.delete("/contacts/{contact_id}", response={204: None}, tags=["contacts"])
def remove_contact(request: HttpRequest, contact_id: Id, version: Version):
    contact = selectors.get_contact(_actor(request), contact_id)
    services.remove_contact(_actor(request), contact, version)
    return Status(204, None)


@router.post("/customers/{customer_id}/addresses", response={201: s.AddressOut},
             tags=["contacts"])
def add_address(request: HttpRequest, customer_id: Id, payload: s.AddressIn):
    address = services.add_address(_actor(request), _account(request, customer_id),
                                   payload.model_dump(exclude_unset=True))
    return Status(201, address)


@router.patch("/addresses/{address_id}", response=s.AddressOut, tags=["contacts"])
def update_address(request: HttpRequest, address_id: Id, payload: s.AddressPatch):
    address = get_visible(visible_addresses(_actor(request)), pk=address_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return services.update_address(_actor(request), address, data, version)


@router.delete("/addresses/{address_id}", response={204: None}, tags=["contacts"])
def remove_address(request: HttpRequest, address_id: Id, version: Version):
    address = get_visible(visible_addresses(_actor(request)), pk=address_id)
    services.remove_address(_actor(request), address, version)
    return Status(204, None)


def _relationship_out(rel, visible_ids: set[int]) -> dict[str, Any]:
    def end(contact):
        seen = contact.pk in visible_ids
        return {"id": contact.pk, "name": contact.name if seen else None,
                "account_id": contact.account_id if seen else None}
    return {"id": rel.pk, "kind": rel.kind, "note": rel.note,
            "from_contact": end(rel.from_contact), "to_contact": end(rel.to_contact)}


@router.get("/customers/{customer_id}/relationships", response=list[s.RelationshipOut],
            tags=["contacts"])
def list_relationships(request: HttpRequest, customer_id: Id):
    """Relationships of this customer's people; a person at a customer you cannot see is
    shown without name."""
    user = _actor(request)
    rels = selectors.relationships(_account(request, customer_id))
    ids = {c for r in rels for c in (r.from_contact_id, r.to_contact_id)}
    visible = set(selectors.visible_contacts(user).filter(pk__in=ids)
                  .values_list("pk", flat=True))
    return [_relationship_out(r, visible) for r in rels]


@router.post("/customers/{customer_id}/relationships", response={201: s.RelationshipOut},
             tags=["contacts"])
def add_relationship(request: HttpRequest, customer_id: Id, payload: s.RelationshipIn):
    user, account = _actor(request), _account(request, customer_id)
    from_contact = account.contacts.filter(pk=payload.from_contact_id, is_active=True).first()
    to_contact = selectors.visible_contacts(user).filter(pk=payload.to_contact_id).first()
    errors = {}
    if from_contact is None:
        errors["from_contact_id"] = [_("Choose a contact of this customer.")]
    if to_contact is None:
        errors["to_contact_id"] = [_("No contact with this id.")]
    if errors:
        raise FieldErrors(errors)
    rel = services.add_relationship(user, from_contact, to_contact, payload.kind, payload.note)
    return Status(201, _relationship_out(rel, {from_contact.pk, to_contact.pk}))


@router.delete("/relationships/{relationship_id}", response={204: None}, tags=["contacts"])
def remove_relationship(request: HttpRequest, relationship_id: Id):
    user = _actor(request)
    rel = get_visible(visible_relationships(user), pk=relationship_id)
    services.remove_relationship(user, rel)
    return Status(204, None)


# --- Search ---------------------------------------------------------------------------------

@router.get("/search", response=list[s.HitOut], tags=["search"])
def search(request: HttpRequest, q: str,
           kind: str | None = Query(None, description="Only this kind of record: account, "
                                    "contact, or one an app adds (opportunity, lead, "
                                    "document …)"),
           limit: int = Query(20, ge=1, le=100)):
    """Records by what identifies them, up to ``limit`` of each kind, from every search
    provider in turn: customers and contacts by name, pinyin, initials, phone, e-mail or
    registration id, best first; then what other apps register (open opportunities by their
    customer or the start of their name, leads by phone, e-mail, company or name; quotes,
    contracts, orders and invoices by the start of their number)."""
    if kind is not None and kind not in search_providers.kinds():
        raise FieldErrors({"kind": [_("Choose one of: %(kinds)s.")
                                    % {"kinds": ", ".join(search_providers.kinds())}]})
    return [vars(hit) for r in search_providers.search_all(_actor(request), q, limit=limit,
                                                           kind=kind)
            for hit in r.hits]


# --- Approvals and terms change requests ----------------------------------------------------

@router.get("/approvals", response=s.ApprovalsOut, tags=["approvals"])
def approvals(request: HttpRequest):
    """New customers and terms change requests waiting for your decision."""
    user = _actor(request)
    return {"customers": list(selectors.pending_approvals(user).order_by("created_at")[:200]),
            "terms_requests": list(selectors.terms_requests_waiting_for(user)
                                   .order_by("requested_at")[:200])}


def _decide_customer(request: HttpRequest, customer_id: int, payload: s.ApprovalDecisionIn,
                     approve: bool) -> dict[str, Any]:
    account = services.decide_new_customer(_actor(request), _account(request, customer_id),
                                           approve, payload.comment, payload.version)
    return _detail(account)


@router.post("/customers/{customer_id}/approve", response=s.CustomerOut, tags=["approvals"])
def approve_customer(request: HttpRequest, customer_id: Id, payload: s.ApprovalDecisionIn):
    return _decide_customer(request, customer_id, payload, True)


@router.post("/customers/{customer_id}/reject", response=s.CustomerOut, tags=["approvals"])
def reject_customer(request: HttpRequest, customer_id: Id, payload: s.ApprovalDecisionIn):
    return _decide_customer(request, customer_id, payload, False)


@router.post("/customers/{customer_id}/terms-requests", response={201: s.TermsRequestOut},
             tags=["approvals"])
def request_terms(request: HttpRequest, customer_id: Id, payload: s.TermsRequestIn):
    """Ask for new terms: the market manager, then finance approve; then they apply."""
    req = services.request_terms_change(_actor(request), _account(request, customer_id),
                                        payload.changes, payload.reason)
    return Status(201, req)


def _terms_request(request: HttpRequest, request_id: int):
    qs = selectors.visible_terms_requests(_actor(request)).select_related("account",
                                                                          "requested_by")
    return get_visible(qs, pk=request_id)


def _terms_detail(user: User, req: TermsChangeRequest) -> TermsChangeRequest:
    req.can_decide = perms.can_decide_terms(user, req)
    return req


@router.get("/terms-requests", response=s.TermsRequestPage, tags=["approvals"])
def list_terms_requests(request: HttpRequest, status: str | None = None,
                        account_id: Id | None = None, cursor: str | None = None,
                        limit: int = Query(50, ge=1, le=200)):
    qs = selectors.visible_terms_requests(_actor(request)).select_related("account",
                                                                          "requested_by")
    if status:
        qs = qs.filter(status=status)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    page = keyset_page(qs, "-id", cursor, limit)
    return {"items": page.items, "next": page.next}


@router.get("/terms-requests/{request_id}", response=s.TermsRequestDetail, tags=["approvals"])
def get_terms_request(request: HttpRequest, request_id: Id):
    return _terms_detail(_actor(request), _terms_request(request, request_id))


def _decide_terms(request: HttpRequest, request_id: int, payload: s.ApprovalDecisionIn,
                  approve: bool) -> TermsChangeRequest:
    user = _actor(request)
    req = services.decide_terms_change(user, _terms_request(request, request_id), approve,
                                       payload.comment, payload.version)
    return _terms_detail(user, req)


@router.post("/terms-requests/{request_id}/approve", response=s.TermsRequestDetail,
             tags=["approvals"])
def approve_terms(request: HttpRequest, request_id: Id, payload: s.ApprovalDecisionIn):
    return _decide_terms(request, request_id, payload, True)


@router.post("/terms-requests/{request_id}/reject", response=s.TermsRequestDetail,
             tags=["approvals"])
def reject_terms(request: HttpRequest, request_id: Id, payload: s.ApprovalDecisionIn):
    return _decide_terms(request, request_id, payload, False)


@router.post("/terms-requests/{request_id}/withdraw", response=s.TermsRequestDetail,
             tags=["approvals"])
def withdraw_terms(request: HttpRequest, request_id: Id, payload: s.VersionIn):
    user = _actor(request)
    req = _terms_request(request, request_id)
    return _terms_detail(user, services.withdraw_terms_change(user, req, payload.version))


# --- Merge and the public pool --------------------------------------------------------------

@router.post("/customers/{customer_id}/merge", response=s.CustomerOut)
def merge(request: HttpRequest, customer_id: Id, payload: s.MergeIn):
    """Merge `other_id` into this customer, keeping every related record of both."""
    keep = _account(request, customer_id)
    remove = _account(request, payload.other_id)
    return _detail(services.merge_accounts(_actor(request), keep, remove,
                                           payload.version, payload.other_version))


@router.get("/pool", response=s.PoolPage, tags=["pool"])
def pool(request: HttpRequest, cursor: str | None = None,
         limit: int = Query(50, ge=1, le=200)):
    """Customers in the public pool, most recently returned first."""
    qs = selectors.visible_accounts(_actor(request)).filter(in_pool=True).select_related("team")
    page = keyset_page(qs, "-pool_since", cursor, limit)
    return {"items": page.items, "next": page.next}


@router.post("/customers/{customer_id}/claim", response=s.CustomerOut, tags=["pool"])
def claim(request: HttpRequest, customer_id: Id):
    return _detail(services.claim(_actor(request), _account(request, customer_id)))


@router.post("/customers/{customer_id}/release", response=s.CustomerOut, tags=["pool"])
def release(request: HttpRequest, customer_id: Id, payload: s.ReleaseIn):
    account = _account(request, customer_id)
    return _detail(services.release(_actor(request), account, payload.reason,
                                    payload.version))


def _policy_out(user: User, policy: PoolPolicy) -> dict[str, Any]:
    return {"return_after_days": policy.return_after_days, "claim_limit": policy.claim_limit,
            "claimed_by_me": claimed_count(user), "version": policy.version}


@router.get("/pool/policy", response=s.PoolPolicyOut, tags=["pool"])
def get_pool_policy(request: HttpRequest):
    """The pool rules, and how many pool customers you hold against the limit."""
    return _policy_out(_actor(request), PoolPolicy.current())


@router.put("/pool/policy", response=s.PoolPolicyOut, tags=["pool"])
def put_pool_policy(request: HttpRequest, payload: s.PoolPolicyIn):
    user = _actor(request)
    policy = services.update_policy(user, payload.return_after_days, payload.claim_limit,
                                    payload.version)
    return _policy_out(user, policy)

