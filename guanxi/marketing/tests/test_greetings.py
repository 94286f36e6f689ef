"""Customer care: birthday, anniversary and holiday greetings from the worker, with consent,
quiet hours, and never the same greeting twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from guanxi.customers.services import consent
from guanxi.marketing.models import GreetingRule, GreetingSent, Holiday
from guanxi.marketing.services.greetings import is_quiet, run_greetings

pytestmark = pytest.mark.django_db


def _at(day: str, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00"))


@pytest.fixture
def people(org, make_account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a = make_account(name="上海明珠机电有限公司", contacts=[
        {"name": "张伟", "email": "zhang@mingzhu.example", "birthday": "1980-02-17"},
        {"name": "李娜", "email": "li@mingzhu.example", "birthday": "1985-06-01"}])
    b = make_account(name="杭州西湖茶业有限公司", contacts=[
        {"name": "王强", "email": "wang@xihu.example", "birthday": "1990-02-17"}])
    zhang, li = a.contacts.order_by("pk")
    [wang] = b.contacts.all()
    # Wang asked not to get greetings.
    consent.record(None, wang, channel="email", purpose="care", granted=False, source="staff",
                   evidence="said so on the phone")
    for contact in (zhang, li):
        consent.record(None, contact, channel="email", purpose="care", granted=True,
                       source="form", evidence="care sign-up")
    return zhang, li, wang


def test_the_calendar_holds_the_lunar_holidays_for_2026_and_2027():
    dates = dict(Holiday.objects.filter(key="spring_festival").values_list("date", "name_zh"))
    assert dates == {dt.date(2026, 2, 17): "春节", dt.date(2027, 2, 6): "春节"}
    assert Holiday.objects.filter(key="mid_autumn", date=dt.date(2026, 9, 25)).exists()


def test_birthday_greetings_go_once_to_consenting_contacts(org, people):
    zhang, li, wang = people
    GreetingRule.objects.create(name="生日祝福", occasion="birthday",
                                subject_zh="{{ contact.name }}，生日快乐",
                                body_zh="{{ contact.name }}您好，祝您生日快乐！",
                                created_by=org.marketing)
    assert run_greetings(_at("2026-02-17", 10)) == {"sent": 1, "skipped": 1, "failed": 0}
    [message] = mail.outbox
    assert message.to == ["zhang@mingzhu.example"] and message.subject == "张伟，生日快乐"
    assert "张伟您好" in message.body
    skipped = GreetingSent.objects.get(contact=wang)
    assert skipped.status == "skipped" and skipped.reason
    # The next hourly run, or a second worker, greets nobody again.
    assert run_greetings(_at("2026-02-17", 11)) == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_quiet_hours_hold_greetings_until_morning(org, people, settings):
    settings.GUANXI_QUIET_HOURS = "21-9"
    GreetingRule.objects.create(name="生日祝福", occasion="birthday", subject_zh="生日快乐",
                                body_zh="生日快乐！")
    assert is_quiet(_at("2026-02-17", 7)) and not is_quiet(_at("2026-02-17", 9))
    assert run_greetings(_at("2026-02-17", 7))["sent"] == 0 and mail.outbox == []
    assert run_greetings(_at("2026-02-17", 9))["sent"] == 1


def test_holiday_greetings_follow_the_editable_calendar(org, people):
    GreetingRule.objects.create(name="中秋问候", occasion="holiday", holiday_key="mid_autumn",
                                days_before=1, subject_zh="中秋快乐", body_zh="中秋快乐！")
    assert run_greetings(_at("2026-09-25", 10))["sent"] == 0  # one day before, not on the day
    assert run_greetings(_at("2026-09-24", 10))["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["li@mingzhu.example",
                                                    "zhang@mingzhu.example"]
    # Moved in the calendar: the new date counts, the greeting of that occasion goes once.
    Holiday.objects.filter(key="mid_autumn", date=dt.date(2027, 9, 15)).update(
        date=dt.date(2027, 9, 16))
    assert run_greetings(_at("2027-09-14", 10))["sent"] == 0
    assert run_greetings(_at("2027-09-15", 10))["sent"] == 2


def test_greeting_rules_and_the_calendar_through_the_api(org):
    from guanxi.core.tests.api_client import as_

    rule = {"name": "春节问候", "occasion": "holiday", "holiday_key": "spring_festival",
            "subject_zh": "新春快乐", "body_zh": "{{ contact.name }}，新春快乐！"}
    assert as_(org.rep).post("marketing/greeting-rules", rule).status_code == 403
    assert as_(org.rep).get("marketing/greeting-rules").status_code == 403
    created = as_(org.marketing).post("marketing/greeting-rules", rule)
    assert created.status_code == 201 and created.json()["purpose"] == "care"
    bad = as_(org.marketing).post("marketing/greeting-rules",
                                  rule | {"holiday_key": "qingming", "body_zh": "{{ nope }}"})
    assert bad.status_code == 400 and not GreetingRule.objects.filter(
        holiday_key="qingming").exists()
    assert as_(org.executive).get("marketing/greeting-rules").json()[0]["name"] == "春节问候"
    # Managers read customer care; marketing and administrators set it up.
    assert as_(org.manager).post("marketing/holidays", {
        "key": "qingming", "date": "2026-04-05", "name_zh": "清明节"}).status_code == 403
    added = as_(org.marketing).post("marketing/holidays", {
        "key": "qingming", "date": "2026-04-05", "name_zh": "清明节", "name_en": "Qingming"})
    assert added.status_code == 201
    assert as_(org.rep).post("marketing/holidays", {
        "key": "x", "date": "2026-04-05", "name_zh": "x"}).status_code == 403
    assert as_(org.marketing).post("marketing/greeting-rules",
                                   rule | {"holiday_key": "qingming"}).status_code == 201
