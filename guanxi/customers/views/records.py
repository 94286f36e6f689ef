"""Customer pages: home, list, create, edit, 360° view, search, timeline, follow-up, tags and
sharing. Contacts, addresses and relationships live in ``related.py``.

Each view checks access through the scoped selectors (404 for missing and not visible alike),
validates the form, calls one service and answers; service refusals show at the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, F, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanxi.accounts.models import Role, User
from guanxi.core import approvals, audit, normalize
from guanxi.core.custom_fields import definitions
from guanxi.core.errors import Conflict, DomainError, FieldErrors
from guanxi.core.forms import add_domain_error
from guanxi.core.list_pages import ListState
from guanxi.core.pages import done, page_template, posted
from guanxi.core.recent import recent
from guanxi.core.views import refusals_as_http
from guanxi.customers import permissions as perms
from guanxi.customers import search_providers, selectors, services
from guanxi.customers.forms import (
    ACCOUNT_TARGET,
    COMPANY_ONLY,
    CUSTOM_PREFIX,
    AccountForm,
    AddressForm,
    ContactForm,
    CreateAccountForm,
    FollowUpForm,
    ListFilterForm,
    ShareForm,
    TagsForm,
)
from guanxi.customers.models import (
    Account,
    Address,
    Contact,
    Industry,
    PoolPolicy,
    TermsChangeRequest,
)
from guanxi.customers.pages import account_page, home_page
from guanxi.customers.search import search as search_index
from guanxi.customers.services.duplicates import find_duplicates
from guanxi.customers.views.related import (
    address_create,
    address_edit,
    address_remove,
    contact_create,
    contact_edit,
    contact_remove,
    relationship_create,
    relationship_remove,
)

__all__ = [
    "address_create", "address_edit", "address_remove", "contact_create", "contact_edit",
    "contact_remove", "customer_create", "customer_detail", "customer_edit", "customer_list",
    "follow_up", "home", "relationship_create", "relationship_remove", "search", "share",
    "tags_edit", "timeline_more",
]

PAGE_SIZE = 50
TIMELINE_PAGE = 20


# --- Home -------------------------------------------------------------------------------------

# Roles whose home starts with their own customers; others (a manager, the boss, finance …)
# see their own panels first, and their customers only if they hold some.
OWN_BOOK_ROLES = (Role.REP, Role.ASSISTANT, Role.FINDER)


@login_required
@refusals_as_http
def home(request: HttpRequest) -> HttpResponse:
    """The home of each role: the customers' own figures for those who hold customers, then
    what each app registered for the user's roles (``home_page``), and the approvals count."""
    user = request.user
    mine = selectors.visible_accounts(user).filter(owner=user)
    stats = mine.aggregate(count=Count("id"), avg=Avg("completeness"),
                           incomplete=Count("id", filter=Q(completeness__lt=60)))
    own_book = user.has_role(*OWN_BOOK_ROLES) or bool(stats["count"])
    follow_up: list[Account] = []
    returning = 0
    policy = PoolPolicy.current()
    if own_book:
        follow_up = list(mine.filter(in_pool=False).select_related("team").order_by(
            F("last_follow_up_at").asc(nulls_first=True), "id")[:8])
        now = timezone.now()
        soon = now - dt.timedelta(days=max(policy.return_after_days - 7, 0))
        returning = mine.filter(in_pool=False, last_follow_up_at__lt=soon).count()
        for account in follow_up:
            account.days_idle = (now - account.last_follow_up_at).days \
                if account.last_follow_up_at else None
            account.days_left = (policy.return_after_days - account.days_idle) \
                if account.days_idle is not None else None
    recent = list(selectors.visible_accounts(user).select_related("owner")
                  .order_by("-updated_at", "-id")[:8])
    waiting = approvals.count(user)
    return render(request, "customers/home.html", {
        "follow_up": follow_up, "recent": recent, "stats": stats, "returning": returning,
        "policy": policy, "own_book": own_book,
        "approvals": waiting if waiting or perms.can_decide_approvals(user) else None,
        "can_enter": perms.can_create_account(user),
        "panels": home_page.bind(request, user),
    })


# --- List -------------------------------------------------------------------------------------

def _filtered_accounts(request: HttpRequest, params: Any):
    """The visible customers matching the filters (the selector the API and the export use),
    and the search ranking when ``q`` is set. Filters it cannot read show as a message over
    an empty list."""
    user = request.user
    try:
        qs = selectors.filter_customers(user, params)
    except FieldErrors as exc:
        for field, problems in exc.errors.items():
            messages.error(request, f"{field}: {' '.join(problems)}")
        return selectors.visible_accounts(user).none(), None
    ranked: list[int] | None = None
    if q := (params.get("q") or "").strip():
        ranked = list(dict.fromkeys(
            h.account_id for h in search_index(user, q, limit=500)))
    return qs, ranked


def _list_rows(qs, sort: str, desc: bool, ranked: list[int] | None, page: int,
               explicit_sort: bool) -> tuple[list[Account], bool]:
    """One page of rows (fetching one extra to know whether there is a next page; no COUNT)."""
    primary_address = Address.objects.filter(account=OuterRef("pk")).order_by("-is_primary", "id")
    primary_contact = Contact.objects.filter(account=OuterRef("pk"), is_active=True).order_by(
        "-is_primary", "id")
    # Tags as a plain list: ``a.tags.all`` would build a related manager on every row.
    qs = qs.select_related("owner").prefetch_related(Prefetch("tags", to_attr="tag_list")).annotate(
        province=Subquery(primary_address.values("province")[:1]),
        contact_mobile=Subquery(primary_contact.values("mobile")[:1]),
        contact_name=Subquery(primary_contact.values("name")[:1]),
    )
    offset = (page - 1) * PAGE_SIZE
    if ranked is not None and not explicit_sort:
        window = ranked[offset:offset + PAGE_SIZE + 1]
        by_id = {a.pk: a for a in qs.filter(pk__in=window)}
        rows = [by_id[pk] for pk in window if pk in by_id]
        # Ids the filters dropped make a short window: the next page decides by the ranking.
        return rows[:PAGE_SIZE], len(window) > PAGE_SIZE
    column = F(ListFilterForm.SORTS[sort])
    # NULLS LAST only where values can be missing: on a NOT NULL column it keeps PostgreSQL
    # from reading the order off an index (it would sort every customer instead).
    nulls_last = True if sort in ("owner", "province", "follow_up") else None
    order = column.desc(nulls_last=nulls_last) if desc else column.asc(nulls_last=nulls_last)
    rows = list(qs.order_by(order, "-id" if desc else "id")[offset:offset + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@login_required
@refusals_as_http
def customer_list(request: HttpRequest) -> HttpResponse:
    state = ListState.read(request, "customers")
    params = state.params
    form = ListFilterForm(params or None)
    valid = form.is_valid() if form.is_bound else True
    qs, ranked = _filtered_accounts(request, params)
    sort, desc = form.sort_key() if form.is_bound else ("updated", True)
    page = (form.cleaned_data.get("page") or 1) if form.is_bound and valid else 1
    explicit_sort = bool(form.is_bound and valid and form.cleaned_data.get("sort"))
    rows, has_next = _list_rows(qs, sort, desc, ranked, page, explicit_sort)
    # Labels translated once per page; get_industry_display rebuilds its choices on every call.
    industries = {value: str(label) for value, label in Industry.choices}
    for row in rows:
        row.industry_label = industries.get(row.industry, row.industry)
    context = state.context(request, qs) | {
        "form": form, "rows": rows, "page": page, "has_next": has_next,
        "sort": sort, "desc": desc, "current_sort": ("-" if desc else "") + sort,
        "first": (page - 1) * PAGE_SIZE + 1 if rows else 0,
        "last": (page - 1) * PAGE_SIZE + len(rows),
        "can_enter": perms.can_create_account(request.user),
        "filtered": state.filtered,
        "more_active": sum(1 for k, v in params.items() if v and (
            k in ("size", "source", "standing", "tag", "below", *form.contributed_names())
            or k.startswith(CUSTOM_PREFIX))),
    }
    if request.htmx and request.htmx.target == "customer-table":
        return render(request, "customers/_list_table.html", context)
    return render(request, "customers/list.html", context)


# --- Create and edit -------------------------------------------------------------------------

def _owner_choices(user: User):
    """Whom assistants, managers and administrators may enter a customer for."""
    return selectors.entry_owners(user) if perms.can_enter_for_others(user) else None


def _duplicate_matches(user: User, form: CreateAccountForm, contact: ContactForm) -> list:
    """The existing customers a refused entry collides with; the ones the user may open get a
    link, the others only their name (the service's message names them already)."""
    data = form.cleaned_data
    try:
        phone = normalize.normalize_phone(data.get("phone") or
                                          (contact.cleaned_data.get("mobile") or ""))
        email = normalize.normalize_email(data.get("email") or "")
    except ValueError:
        phone = email = ""
    matches = find_duplicates(name=data.get("name") or "", phone=phone, email=email,
                              registration_id=None)
    visible = set(selectors.visible_accounts(user).filter(
        pk__in=[m.account.pk for m in matches]).values_list("pk", flat=True))
    return [{"account": m.account, "what": m.describe(), "visible": m.account.pk in visible}
            for m in matches]


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_create_account(user):
        return render(request, "customers/refused.html",
                      {"message": _("Your role cannot enter customers.")}, status=403)
    owners = _owner_choices(user)
    data = posted(request)
    form = CreateAccountForm(data, owners=owners)
    contact = ContactForm(data, prefix="contact", required=False, with_custom=False)
    address = AddressForm(data, prefix="address")
    duplicates: list = []
    refused = None
    if request.method == "POST" and all([form.is_valid(), contact.is_valid(),
                                         address.is_valid()]):
        profile = form.profile_data()
        contacts = [] if contact.is_empty() else [contact.data_for_service()]
        if profile.get("kind") == Account.Kind.PERSON:
            for name in COMPANY_ONLY:
                profile.pop(name, None)
            if contacts and not contacts[0].get("name"):
                contacts[0]["name"] = profile["name"]
        addresses = [] if address.is_empty() else [address.data_for_service()]
        try:
            account = services.create_account(
                user, profile, contacts=contacts, addresses=addresses, tags=form.tag_names(),
                custom=form.custom_values(), owner=form.cleaned_data.get("owner"),
                force=form.cleaned_data.get("force", False))
        except Conflict as exc:
            if exc.code == "owned_by_other":
                refused = exc.message
            elif exc.code == "duplicate":
                duplicates = _duplicate_matches(user, form, contact)
            add_domain_error(form, exc)
        except DomainError as exc:
            _route_error(exc, form, contact, address)
        else:
            if account.is_pending:
                messages.info(request, _("Customer entered. It waits for a manager's approval "
                                         "before orders can be placed."))
            else:
                messages.success(request, _("Customer entered."))
            return redirect("customers:detail", pk=account.pk)
    return render(request, "customers/account_form.html", {
        "form": form, "contact_form": contact, "address_form": address, "creating": True,
        "duplicates": duplicates, "refused": refused,
    })


def _route_error(exc: DomainError, form, contact: ContactForm, address: AddressForm) -> None:
    """Put an error from create_account at the form its field belongs to: the service checks
    the customer, its first contact and its first address in one call."""
    fields = getattr(exc, "errors", None) or {exc.field: [exc.message]}
    for name, messages_ in fields.items():
        target = form
        if name and name not in form.fields and not name.startswith("custom."):
            if name in contact.fields:
                target = contact
            elif name in address.fields:
                target = address
        for message in messages_:
            add_domain_error(target, DomainError(message, field=name))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    account = selectors.get_account(user, pk)
    if not perms.can_edit_account(user, account):
        return render(request, "customers/refused.html", {
            "message": _("Only the owner, the team's manager or assistant can edit this "
                         "customer."), "account": account}, status=403)
    data = posted(request)
    form = AccountForm(data, account=account, with_terms=account.is_pending, with_tags=False)
    if request.method == "POST" and form.is_valid():
        profile = form.profile_data()
        try:
            services.update_account(user, account, profile,
                                    version=form.version_value(account.version),
                                    custom=form.custom_values())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=account.pk)
    return render(request, "customers/account_form.html", {
        "form": form, "account": account, "creating": False,
    })


# --- 360° view -------------------------------------------------------------------------------

def _graph(account: Account, contacts: list[Contact], relationships: list,
           visible_ids: set[int]) -> dict[str, Any]:
    """ECharts option for the people around this customer and how they are related."""
    nodes: dict[int, dict] = {}
    for c in contacts:
        nodes[c.pk] = {"id": str(c.pk), "name": c.name, "category": 0,
                       "symbolSize": 34 if c.is_primary else 26,
                       "value": c.title or ""}
    links = []
    for rel in relationships:
        for person in (rel.from_contact, rel.to_contact):
            if person.pk not in nodes:
                known = person.account_id in visible_ids
                nodes[person.pk] = {
                    "id": str(person.pk), "name": person.name, "category": 1,
                    "symbolSize": 22,
                    "value": person.account.name if known else "",
                    "url": reverse("customers:detail", args=[person.account_id])
                    if known else "",
                }
        links.append({"source": str(rel.from_contact_id), "target": str(rel.to_contact_id),
                      "label": {"show": True, "formatter": rel.get_kind_display()}})
    return {
        "guanxiLinks": True,
        "tooltip": {"formatter": "{b}<br/>{c}"},
        "legend": {"data": [_("Contacts here"), _("People at other customers")],
                   "bottom": 0, "textStyle": {"fontSize": 11}},
        "color": ["#4f46e5", "#a1a1aa"],
        "series": [{
            "type": "graph", "layout": "force", "roam": True, "draggable": True,
            "force": {"repulsion": 260, "edgeLength": 110},
            "label": {"show": True, "position": "bottom", "fontSize": 12},
            "edgeLabel": {"fontSize": 10, "color": "#6b6b76"},
            "lineStyle": {"color": "#c4c4cc", "width": 1.2, "curveness": 0.1},
            "categories": [{"name": _("Contacts here")},
                           {"name": _("People at other customers")}],
            "data": list(nodes.values()), "links": links,
        }],
    }


MISSING_LABELS = {
    "name": gettext_lazy("name"),
    "registration_id": gettext_lazy("registration id"),
    "industry": gettext_lazy("industry"),
    "size": gettext_lazy("size"),
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
    "website": gettext_lazy("website"),
    "address": gettext_lazy("an address"),
    "contact": gettext_lazy("a contact"),
    "contact_reach": gettext_lazy("a contact with phone and e-mail"),
    "owner": gettext_lazy("an owner"),
    "attitudes": gettext_lazy("attitudes (products, buying again)"),
    "needs": gettext_lazy("needs"),
}


@login_required
@refusals_as_http
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    account = selectors.get_account(user, pk)
    audit.log(user, "customers.account.viewed", account)
    contacts = list(account.contacts.filter(is_active=True))
    relationships = selectors.relationships(account)
    other_accounts = {p.account_id for r in relationships for p in (r.from_contact, r.to_contact)
                      if p.account_id != account.pk}
    visible_ids = set(selectors.visible_accounts(user).filter(pk__in=other_accounts)
                      .values_list("pk", flat=True)) if other_accounts else set()
    visible_ids.add(account.pk)
    score, missing = services.completeness(account)
    events = selectors.timeline(account, limit=TIMELINE_PAGE + 1)
    open_terms = account.terms_requests.filter(
        status__in=[TermsChangeRequest.Status.MANAGER, TermsChangeRequest.Status.FINANCE]
    ).select_related("requested_by").first()
    custom = [(d.label, ", ".join(value) if isinstance(value, list) else value)
              for d in definitions(ACCOUNT_TARGET)
              if (value := account.custom.get(d.key)) not in (None, "", [])]
    graph = _graph(account, contacts, relationships, visible_ids)
    return render(request, "customers/detail.html", {
        "account": account, "contacts": contacts, "addresses": selectors.addresses(account),
        "relationships": relationships, "visible_ids": visible_ids,
        "tags": list(account.tags.all()), "score": score,
        "missing": [MISSING_LABELS.get(m, m) for m in missing],
        "events": events[:TIMELINE_PAGE], "more_events": len(events) > TIMELINE_PAGE,
        "open_terms": open_terms, "custom": custom, "graph": graph,
        "panels": account_page.bind(request, account),
    })


@login_required
@refusals_as_http
def timeline_more(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        before = None
    events = selectors.timeline(account, limit=TIMELINE_PAGE + 1, before_id=before)
    context = {"account": account, "events": events[:TIMELINE_PAGE],
               "more_events": len(events) > TIMELINE_PAGE}
    if request.htmx:
        return render(request, "customers/_timeline_items.html", context)
    return render(request, "customers/timeline.html", context)


# --- Follow-up, tags, sharing ------------------------------------------------------------------

@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    form = FollowUpForm(posted(request), account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_follow_up(request.user, account, form.cleaned_data["text"],
                                   contact=form.cleaned_data.get("contact"))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Follow-up logged."))
            return done(request, reverse("customers:detail", args=[account.pk]))
    return render(request, "core/small_form.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Log a follow-up"), "submit": _("Log follow-up"),
        "action": reverse("customers:follow_up", args=[account.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def tags_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    current = ", ".join(account.tags.values_list("name", flat=True))
    form = TagsForm(posted(request), initial={"tags": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_tags(request.user, account, form.tag_names())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Tags saved."))
            return done(request, reverse("customers:detail", args=[account.pk]))
    return render(request, "core/small_form.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Tags"), "submit": _("Save tags"),
        "action": reverse("customers:tags", args=[account.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    users = User.objects.filter(is_active=True).exclude(pk=request.user.pk).order_by(
        "display_name", "username")
    form = ShareForm(posted(request), users=users)
    if request.method == "POST" and request.POST.get("unshare"):
        raw = request.POST["unshare"]
        other = users.filter(pk=int(raw)).first() if raw.isdigit() else None
        if other is not None:
            services.unshare_account(request.user, account, other)
            messages.success(request, _("No longer shared with %(user)s.") % {"user": other})
        return done(request, reverse("customers:share", args=[account.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            services.share_account(request.user, account, form.cleaned_data["user"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Shared with %(user)s.")
                             % {"user": form.cleaned_data["user"]})
            return done(request, reverse("customers:detail", args=[account.pk]))
    shared_with = [s.user for s in account.shares.select_related("user")]
    return render(request, "customers/share.html", {
        "base": page_template(request), "form": form, "account": account,
        "shared_with": shared_with, "title": _("Share with a colleague"),
        "submit": _("Share"), "action": reverse("customers:share", args=[account.pk]),
    })


# --- Search ------------------------------------------------------------------------------------

@login_required
@refusals_as_http
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    dropdown = bool(request.htmx) and request.htmx.target == "global-search-results"
    first, text = search_providers.split_action(q)
    results = search_providers.search_all(request.user, text, dropdown=dropdown) if q else []
    context: dict[str, Any] = {"q": q, "results": results,
                               "found": any(r.hits for r in results)}
    if dropdown:
        # The palette: what the first customer found can start, and, before one types, the
        # records opened last.
        # The customer found (a contact's customer when only a contact matched).
        hits = [h for r in results for h in r.hits if h.kind in ("account", "contact")]
        top = next((h for h in hits if h.kind == "account"), hits[0] if hits else None)
        account = selectors.visible_accounts(request.user).filter(pk=top.account_id).first() \
            if top else None
        context.update({
            "offers": search_providers.offers(request.user, account, first) if account else [],
            "offers_first": bool(first), "recent": recent(request) if not q else []})
        return render(request, "customers/_search_results.html", context)
    return render(request, "customers/search.html", context)
