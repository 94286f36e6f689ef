"""Merged e-mail text is plain text: a template's own markup and the customer's names merged
into it are shown as text on the template preview and the compose page, and the message goes
out as text/plain with the characters as written."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse
from django.utils.safestring import SafeData

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.markup import IMG, SCRIPT, injected
from guanxi.sales.models import EmailTemplate
from guanxi.sales.services import email as svc
from guanxi.sales.tests import work_fixtures

work = work_fixtures.work

ATTACK = "Dear <img src=x onerror=alert(document.domain)>"


def test_a_managers_template_body_is_previewed_as_text_for_the_administrator(client, org):
    response = as_(org.manager).post("email-templates", {
        "name": "Welcome", "subject": "Hello " + SCRIPT, "body": ATTACK})
    assert response.status_code == 201, response.content
    template = EmailTemplate.objects.get()
    client.force_login(org.admin)
    page = client.get(reverse("sales:email_template_edit", args=[template.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert injected(html) == []
    # The preview shows what was written, as text.
    assert "Dear &lt;img src=x onerror=alert(document.domain)&gt;" in html


def test_merged_customer_names_are_text_on_the_compose_page(client, org, work):
    work.account.name = "明珠</textarea>" + IMG
    work.account.save(update_fields=["name"])
    work.contact.name = "张三" + SCRIPT
    work.contact.save(update_fields=["name"])
    template = svc.create_template(org.manager, {
        "name": "t", "subject": "致{{ account.name }}", "body": "{{ contact.name }}您好"})
    client.force_login(org.rep)
    url = reverse("sales:email_compose") + f"?account={work.account.pk}"
    page = client.post(url, {"contact": work.contact.pk, "template": template.pk,
                             "action": "use_template"})
    assert page.status_code == 200
    assert injected(page.content) == []
    assert "张三&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;您好" in page.content.decode()


def test_merged_text_is_plain_and_sent_as_written(org, work, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    context = svc.merge_context(work.contact, work.account, org.rep)
    context["account"]["name"] = "A&B <Trading>"
    rendered = svc.render("{{ account.name }}", "To {{ account.name }}", context)
    assert not isinstance(rendered.body, SafeData)
    assert not isinstance(rendered.subject, SafeData)
    svc.send_email(org.rep, work.account, contact=work.contact, subject=rendered.subject,
                   body=rendered.body)
    message = mail.outbox[0].message()
    # Plain text only: the characters reach the reader as written, no HTML part to escape.
    assert message.get_content_type() == "text/plain"
    assert mail.outbox[0].body == "To A&B <Trading>"
    assert mail.outbox[0].subject == "A&B <Trading>"
