"""Satisfaction after a resolved case: one survey e-mailed with a signed link that needs no
login, answered once; reused, expired and mangled links get a clear page; detractors give the
team manager a follow-up task; cases carry their asset, service records and linked articles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail, signing
from django.utils import timezone

from guanxi.core.errors import FieldErrors
from guanxi.service.models import Article, Asset, Survey
from guanxi.service.services import case_links, cases, surveys
from guanxi.service.services.knowledge import ArticleInput, create_article
from guanxi.service.tests import cases_fixtures as cfx
from guanxi.service.vin import with_check_digit

svc_world = cfx.svc_fixture


@pytest.fixture
def resolved(svc, make_account, django_capture_on_commit_callbacks):
    account = make_account(by=svc.org.rep, name="杭州钱江变压器用户有限公司")
    case = cases.create_case(svc.agent, subject="变压器温升过高", kind="complaint",
                             account=account, team=svc.team, assignee=svc.agent,
                             requester_email="buyer@example.com")
    case = cases.change_status(svc.agent, case, "in_progress", case.version)
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.change_status(svc.agent, case, "resolved", case.version,
                                   resolution="更换温控器")
    assert surveys.deliver(Survey.objects.get(case=case).pk) == "sent"  # the worker's job
    return case


def _link(case) -> str:
    sent = [m for m in mail.outbox if "/survey/" in m.body]
    assert len(sent) == 1 and sent[0].to == ["buyer@example.com"]
    return next(w for w in sent[0].body.split() if "/survey/" in w).split("/survey/")[1] \
        .strip("/")


def test_resolving_sends_one_survey_with_a_link_that_needs_no_login(resolved, client, svc,
                                                                    django_capture_on_commit_callbacks):
    token = _link(resolved)
    survey = Survey.objects.get(case=resolved)
    assert survey.sent_at and survey.team == svc.team and survey.agent == svc.agent
    # Reopened and resolved again: still one survey, no second mail.
    case = cases.change_status(svc.agent, resolved, "in_progress", resolved.version)
    with django_capture_on_commit_callbacks(execute=True):
        cases.change_status(svc.agent, case, "resolved", case.version)
    assert Survey.objects.filter(case=resolved).count() == 1
    assert surveys.deliver(survey.pk) == "skipped"
    page = client.get(f"/survey/{token}/")
    assert page.status_code == 200 and resolved.number in page.content.decode()
    bad = client.post(f"/survey/{token}/", {"csat": "7", "nps": ""})
    assert bad.status_code == 400 and "from 1 to 5" in bad.content.decode()
    assert Survey.objects.get(pk=survey.pk).answered_at is None
    done = client.post(f"/survey/{token}/", {"csat": "5", "nps": "9", "comment": "很好"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (5, 9, "很好")
    assert survey.follow_up is None
    again = client.post(f"/survey/{token}/", {"csat": "1", "nps": "0"})
    assert again.status_code == 410 and "already answered" in again.content.decode()
    survey.refresh_from_db()
    assert survey.csat == 5
    mangled = client.get(f"/survey/{token[:-2]}xx/")
    assert mangled.status_code == 410 and "not valid" in mangled.content.decode()


def test_expired_link_gets_a_clear_page(resolved, client):
    token = _link(resolved)
    later = timezone.now() + dt.timedelta(days=surveys.valid_days() + 1)
    with pytest.raises(surveys.LinkError) as exc:
        surveys.answer(token, 4, 8, now=later)
    assert exc.value.code == "expired"
    Survey.objects.filter(case=resolved).update(expires_at=timezone.now()
                                                - dt.timedelta(minutes=1))
    page = client.get(f"/survey/{token}/")
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert Survey.objects.get(case=resolved).answered_at is None
    old = signing.TimestampSigner(salt=surveys.SALT)
    assert old  # the link format is django.core.signing's


def test_a_detractor_gives_the_team_manager_a_follow_up_task(resolved, svc):
    from guanxi.sales.models import Task

    token = _link(resolved)
    with pytest.raises(FieldErrors) as exc:
        surveys.answer(token, 2, 11)
    assert "nps" in exc.value.errors and not Task.objects.exists()
    survey = surveys.answer(token, 2, 7, "温控器又坏了")
    task = Task.objects.get()
    assert survey.follow_up == task and task.assignee == svc.lead
    assert resolved.number in task.title and "温控器又坏了" in task.notes
    assert task.priority == "high"


def test_cases_carry_their_asset_records_and_articles(svc, make_account, client):
    from guanxi.orders.models import Product
    from guanxi.service.models import ServiceStation
    from guanxi.service.services import records as rec

    account = make_account(by=svc.org.rep, name="上海大众出租有限公司")
    other = make_account(by=svc.org.rep, name="别家客户有限公司")
    product = Product.objects.create(code="GL8", name_zh="别克GL8", name_en="Buick GL8")
    vin = with_check_digit("LSGUA84L0AA000001")
    asset = Asset.objects.create(account=account, product=product, vin=vin, vin_tail=vin[-8:])
    foreign = Asset.objects.create(account=other, product=product, serial_number="X-1")
    station = ServiceStation.objects.create(code="S1", name="浦东站", province="310000",
                                            city="上海")
    case = cases.create_case(svc.agent, subject="刹车异响", kind="repair", account=account,
                             team=svc.team, assignee=svc.agent)
    with pytest.raises(FieldErrors):
        case_links.set_case_asset(svc.agent, case, foreign, case.version)
    case_links.set_case_asset(svc.agent, case, asset, case.version)
    case.refresh_from_db()
    assert case.asset == asset and case.product == product
    rec.add_record(svc.agent, asset, rec.RecordInput(
        station=station, performed_on=timezone.localdate(), work_done="更换刹车片"), case=case)
    article = create_article(svc.agent, ArticleInput(title="刹车异响的常见原因",
                                                     body="检查刹车片磨损", keywords="刹车"))
    case_links.link_article(svc.agent, case, article)
    client.force_login(svc.agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "更换刹车片" in page and "刹车异响的常见原因" in page and vin in page
    # Pinyin finds the article: full and initials.
    from guanxi.service.selectors.knowledge import search_articles
    assert list(search_articles(svc.agent, "shache")) == [article]
    assert list(search_articles(svc.agent, "scyx")) == [article]
    assert not list(search_articles(svc.org.rep, "shache"))  # internal: agents only
    Article.objects.filter(pk=article.pk).update(visibility="published")
    assert list(search_articles(svc.org.rep, "shache")) == [article]
