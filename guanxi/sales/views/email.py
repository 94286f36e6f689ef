"""Pages: e-mail templates (administrators and managers) and writing to a contact from the
customer page: pick a template, preview the merged text, edit, send."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, Forbidden
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import posted
from guanxi.core.views import refusals_as_http
from guanxi.sales import permissions as perms
from guanxi.sales.models import EmailTemplate
from guanxi.sales.services import email as svc
from guanxi.sales.views.activities import records_from_query
from guanxi.sales.views.work_forms import ComposeForm, EmailTemplateForm


def _require_editor(request: HttpRequest) -> None:
    if not perms.can_edit_email_templates(request.user):
        raise Forbidden(_("Only administrators and managers edit e-mail templates."))


@login_required
@refusals_as_http
def template_list(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    return render(request, "sales/email/templates.html", {
        "templates": EmailTemplate.objects.all()})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_editor(request)
    template = get_visible(EmailTemplate.objects.all(), pk=pk) if pk else None
    initial = ({k: getattr(template, k) for k in svc.TEMPLATE_FIELDS}
               | {"version": template.version}) if template else {"active": True}
    form = EmailTemplateForm(posted(request), initial=initial)
    status, preview = 200, None
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                if template is None:
                    template = svc.create_template(request.user, data)
                else:
                    svc.update_template(request.user, template, data,
                                        form.cleaned_data["version"] or template.version)
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Template “%(name)s” saved.")
                                 % {"name": template.name})
                return redirect("sales:email_templates")
        else:
            status = 400
    if template is not None and request.method == "GET":
        preview = _sample_preview(request, template.subject, template.body)
    return render(request, "sales/email/template_form.html", {
        "form": form, "template": template, "preview": preview}, status=status)


def _sample_preview(request: HttpRequest, subject: str, body: str) -> svc.Rendered | None:
    """The template merged with sample values, to show which fields it uses."""
    sample = {
        "contact": {"name": "张三", "name_en": "Zhang San", "title": _("Purchasing manager"),
                    "department": "", "email": "zhangsan@example.cn", "mobile": "", "phone": ""},
        "account": {"name": "上海明珠机电有限公司", "name_en": "", "phone": "", "email": "",
                    "website": ""},
        "user": svc.merge_context(None, None, request.user)["user"],
        "opportunity": {"name": _("Phase 2 transformers"), "amount": "1200000.00",
                        "currency": "CNY", "next_step": ""},
    }
    try:
        return svc.render(subject, body, sample)
    except DomainError:
        return None


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """Write to a contact: ``?account=`` (and optionally ``contact``, ``opportunity``)."""
    found = records_from_query(request)
    account = found.get("account")
    if account is None:
        raise Forbidden(_("Open the compose page from a customer."))
    opportunity = found.get("opportunity")
    initial = {"contact": request.GET.get("contact")}
    form = ComposeForm(posted(request), account=account, initial=initial)
    status, rendered = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact, template = data.get("contact"), data.get("template")
        action = request.POST.get("action", "preview")
        context = svc.merge_context(contact, account, request.user, opportunity)
        subject, body = data["subject"], data["body"]
        if template is not None and (action == "use_template" or not (subject or body)):
            subject, body = template.subject, template.body
        try:
            rendered = svc.render(subject, body, context)
            if action == "send":
                row = svc.send_email(request.user, account, contact=contact,
                                     subject=rendered.subject, body=rendered.body,
                                     template=template, opportunity=opportunity)
                if row.status == row.Status.FAILED:
                    raise svc.failed_message(row)
                messages.success(request, _("E-mail sent to %(to)s.") % {"to": row.to})
                return redirect("customers:detail", account.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            add_domain_error(form, exc)
            status = exc.status
        else:
            # The merged text goes back into the form, so it can be edited before sending.
            form = ComposeForm(initial={"contact": contact, "template": template,
                                        "subject": rendered.subject, "body": rendered.body},
                               account=account)
    elif request.method == "POST":
        status = 400
    return render(request, "sales/email/compose.html", {
        "form": form, "account": account, "opportunity": opportunity, "rendered": rendered,
        "action": request.get_full_path(),
        "back": reverse("customers:detail", args=[account.pk])}, status=status)


urls = [
    path("email/templates/", template_list, name="email_templates"),
    path("email/templates/new/", template_edit, name="email_template_create"),
    path("email/templates/<int:pk>/", template_edit, name="email_template_edit"),
    path("email/compose/", compose, name="email_compose"),
]
