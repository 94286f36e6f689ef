"""On a phone without signal: the app's offline page, and a visit logged offline kept on the
phone and sent once the connection is back, exactly once even when it is sent again."""

from __future__ import annotations

from guanxi.core.tests.browser import PHONE, browser_marks, signed_in, wait_until
from guanxi.sales.models import Activity

pytestmark = browser_marks

OUTBOX = "JSON.parse(localStorage.getItem('guanxi.outbox') || '[]')"


def test_a_visit_logged_offline_is_sent_once_when_back_online(live_server, org, make_account,
                                                              browser):
    account = make_account(name="离线拜访有限公司")
    page = signed_in(browser, live_server, org.rep, language="zh-hans", viewport=PHONE,
                     path=f"/sales/activities/new/?account={account.pk}&kind=visit",
                     service_workers="allow")
    wait_until(page, "!!navigator.serviceWorker.controller")  # installed, controls the page

    page.context.set_offline(True)
    page.fill("#id_subject", "现场拜访：确认二期需求")
    page.fill("#id_location", "苏州工业园区")
    page.click(".form-actions button[type=submit]")
    assert page.is_visible("[role=status].alert-info")  # "kept on this phone", not an error
    assert page.evaluate(f"{OUTBOX}.length") == 1
    assert not Activity.objects.filter(account=account).exists()
    kept = page.evaluate(f"{OUTBOX}[0]")

    # Another page without signal: the app answers with its offline page.
    page.goto(live_server.url + "/customers/")
    assert page.locator("h1 .bi-wifi-off").count() == 1

    page.context.set_offline(False)
    page.goto(live_server.url + "/")  # back online: the kept visit goes out
    wait_until(page, f"{OUTBOX}.length === 0")
    visits = Activity.objects.filter(account=account)
    assert [(v.kind, v.subject, v.location, v.owner_id) for v in visits] == [
        ("visit", "现场拜访：确认二期需求", "苏州工业园区", org.rep.pk)]

    # The answer was lost on the way back, so the phone sends it again: same key, one visit.
    page.evaluate("(item) => localStorage.setItem('guanxi.outbox', JSON.stringify([item]))",
                  kept)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, f"{OUTBOX}.length === 0")
    assert Activity.objects.filter(account=account).count() == 1
