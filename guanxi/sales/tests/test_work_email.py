"""E-mail from the record, sent to a real SMTP server on loopback: merged Chinese names in the
subject and body, UTF-8 headers, the log row, the timeline and activity; a refused connection
is kept as a failed message and shown; merge fields reach nothing but the given values."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from guanxi.core.errors import FieldErrors, Forbidden, NotFound
from guanxi.customers.models import TimelineEvent
from guanxi.sales.models import Activity, EmailMessage, EmailTemplate
from guanxi.sales.services import email as svc
from guanxi.sales.tests import work_fixtures

work = work_fixtures.work


class Collector:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "销售部 <sales@guanxi.example>"
    yield handler
    controller.stop()


@pytest.fixture
def refused(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def template(org):
    return svc.create_template(org.manager, {
        "name": "拜访感谢", "language": "zh-hans",
        "subject": "感谢{{ account.name }}的接待",
        "body": "{{ contact.name }}您好：\n\n感谢您的时间。关于{{ opportunity.name }}，"
                "我们会尽快报价。\n\n{{ user.display_name }}"})


def test_send_from_the_compose_page_to_a_real_smtp_server(client, org, work, smtp, template):
    client.force_login(org.rep)
    url = reverse("sales:email_compose") + f"?account={work.account.pk}" \
        f"&opportunity={work.opportunity.pk}"
    preview = client.post(url, {"contact": work.contact.pk, "template": template.pk,
                                "action": "use_template"}).content.decode()
    assert "感谢上海明珠机电有限公司的接待" in preview and "张三您好" in preview
    response = client.post(url, {"contact": work.contact.pk, "template": template.pk,
                                 "action": "send", "subject": "感谢上海明珠机电有限公司的接待",
                                 "body": "张三您好：\n关于二期扩建变压器，我们会尽快报价。\n王芳"})
    assert response.status_code == 302
    [(rcpt, message)] = smtp.messages
    assert rcpt == ["zhangsan@mingzhu.example.cn"]
    # Python folds the long encoded header onto a continuation line; readers unfold it.
    assert message["Subject"].strip() == "感谢上海明珠机电有限公司的接待"
    assert "=?utf-8?" in message.as_string().lower()  # the header is encoded, not raw bytes
    assert message["Reply-To"] == "rep@example.com"
    assert "张三您好" in message.get_content() and "二期扩建变压器" in message.get_content()
    row = EmailMessage.objects.get()
    assert (row.status, row.to, row.contact, row.template, row.opportunity) == \
        ("sent", "zhangsan@mingzhu.example.cn", work.contact, template, work.opportunity)
    assert row.message_id and row.message_id == message["Message-ID"]
    assert TimelineEvent.objects.get(kind="sales.email").title == \
        "E-mail sent: 感谢上海明珠机电有限公司的接待"
    assert Activity.objects.get(kind="email").subject == "感谢上海明珠机电有限公司的接待"


def test_refused_connection_keeps_a_failed_message_and_says_so(client, org, work, refused):
    client.force_login(org.rep)
    url = reverse("sales:email_compose") + f"?account={work.account.pk}"
    response = client.post(url, {"contact": work.contact.pk, "action": "send",
                                 "subject": "报价", "body": "您好"})
    assert response.status_code == 502
    assert "could not be sent" in response.content.decode()
    row = EmailMessage.objects.get()
    assert row.status == "failed" and "Refused" in row.error
    assert not TimelineEvent.objects.filter(kind="sales.email").exists()
    assert not Activity.objects.filter(kind="email").exists()


def test_merge_fields_render_chinese_names(org, work):
    ctx = svc.merge_context(work.contact, work.account, org.rep, work.opportunity)
    out = svc.render("{{ account.name }}", "{{ contact.name }}，{{ user.display_name }}", ctx)
    assert (out.subject, out.body, out.missing) == ("上海明珠机电有限公司", "张三，王芳", [])


def test_unknown_merge_fields_come_out_empty_and_are_listed(org, work):
    ctx = svc.merge_context(work.contact, work.account, org.rep)
    out = svc.render("{{ contact.nickname }}你好", "{{ settings.SECRET_KEY }}|{{ account }}", ctx)
    assert out.subject == "你好"
    assert "SECRET" not in out.body and "contact.nickname" in out.missing
    assert "settings.SECRET_KEY" in out.missing and "account" in out.missing


@pytest.mark.parametrize("text", [
    "{{ account.delete }}", "{{ contact.account.owner.password }}", "{{ user.set_password }}",
    "{{ account.name.__class__ }}", "{% debug %}", "{% load static %}",
    "{% include 'base.html' %}", "{{ request.user }}", "{% for x in account.items %}{% endfor %}",
    "{{ account.clear }}{{ account.name }}", "{{ account.items }}",
    "{{ contact.name|ljust:'2000000000' }}", "{{ account.name|stringformat:'2000000000s' }}",
])
def test_merge_fields_reach_nothing_but_the_given_values(org, work, text):
    ctx = svc.merge_context(work.contact, work.account, org.rep, work.opportunity)
    try:
        out = svc.render("x", text, ctx)
    except FieldErrors as exc:
        assert exc.field == "body"
    else:
        assert "pbkdf2" not in out.body and "md5" not in out.body and "<" not in out.body
        assert "function" not in out.body and "method" not in out.body
        assert "dict" not in out.body and "object" not in out.body
    work.account.refresh_from_db()
    assert work.account.is_active


def test_a_few_filters_help_with_empty_values(org, work):
    ctx = svc.merge_context(None, work.account, org.rep)
    out = svc.render("{{ contact.name|default:'客户' }}", "{{ account.name|truncatechars:5 }}",
                     ctx)
    assert (out.subject, out.body) == ("客户", "上海明珠…")


def test_autoescape_is_off_for_plain_text(org, work):
    work.account.name = "A&B <贸易>"
    ctx = svc.merge_context(None, work.account, org.rep)
    assert svc.render("{{ account.name }}", "x", ctx).subject == "A&B <贸易>"


def test_a_line_break_in_a_merge_field_cannot_add_headers(org, work):
    work.contact.name = "张三\nBcc: evil@example.com"
    ctx = svc.merge_context(work.contact, work.account, org.rep)
    assert "\n" not in svc.render("{{ contact.name }}", "x", ctx).subject


@pytest.mark.parametrize("kwargs, field", [
    ({"subject": "", "body": "x"}, "subject"),
    ({"subject": "x", "body": "  "}, "body"),
    ({"subject": "x", "body": "y", "to": "not-an-address"}, "to"),
])
def test_bad_send_input_sends_and_logs_nothing(org, work, smtp, kwargs, field):
    with pytest.raises(FieldErrors) as exc:
        svc.send_email(org.rep, work.account, contact=work.contact, **kwargs)
    assert field in exc.value.errors
    assert not smtp.messages and not EmailMessage.objects.exists()


def test_contact_without_address_is_refused(org, work, smtp):
    from guanxi.customers.services import add_contact

    nobody = add_contact(org.rep, work.account, {"name": "无邮箱"})
    with pytest.raises(FieldErrors) as exc:
        svc.send_email(org.rep, work.account, contact=nobody, subject="x", body="y")
    assert exc.value.field == "contact"


def test_only_those_who_work_on_the_customer_send(org, work, smtp):
    with pytest.raises(NotFound):
        svc.send_email(org.other_rep, work.account, contact=work.contact, subject="x",
                       body="y")
    with pytest.raises(Forbidden):
        svc.send_email(org.finance, work.account, contact=work.contact, subject="x",
                       body="y")
    with pytest.raises(FieldErrors):
        svc.send_email(org.rep, work.account, contact=work.other_contact, subject="x",
                       body="y")
    assert not smtp.messages


def test_templates_are_for_managers_and_administrators(org):
    data = {"name": "n", "subject": "s", "body": "b"}
    for user in (org.rep, org.assistant, org.finance):
        with pytest.raises(Forbidden):
            svc.create_template(user, data)
    t = svc.create_template(org.admin, data)
    svc.update_template(org.manager, t, {"subject": "新主题"}, t.version)
    with pytest.raises(FieldErrors):
        svc.update_template(org.manager, t, {"body": "{% if %}"}, t.version)
    t.refresh_from_db()
    assert (t.subject, t.body, t.version) == ("新主题", "b", 2)
    assert EmailTemplate.objects.count() == 1
