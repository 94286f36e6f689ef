"""The kanban board in a real browser: drag a card to the next stage, drop another on "lost"
and give the reason; the database and the column totals follow."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from guanxi.customers.tests.test_browser import CHROMIUM, SCREENSHOTS, browser_page, wait_until  # noqa: F401
from guanxi.sales.models import Opportunity
from guanxi.sales.services import opportunities as svc
from guanxi.sales.services.opportunities import OpportunityInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]


def drag(page, source, target) -> None:
    """Press, move in steps (SortableJS reacts to the movement), release; with short pauses
    so a busy machine's browser sees each phase of the drag."""
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(150)
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2, steps=5)
    page.wait_for_timeout(150)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 40, steps=25)
    page.wait_for_timeout(300)
    page.mouse.up()


def test_rep_drags_cards_across_the_board(live_server, org, make_account, browser_page):  # noqa: F811
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    moving = svc.create_opportunity(org.rep, account, OpportunityInput.parse({"name": "变压器项目",
                                                                              "amount": "120000"}))
    losing = svc.create_opportunity(org.rep, account, OpportunityInput.parse({"name": "开关柜项目",
                                                                              "amount": "30000"}))
    discovery = moving.stage
    quotation = moving.pipeline.stages.get(key="quotation")
    lost = moving.pipeline.stages.get(key="lost")

    # Load every page module here first: the live server's first request would otherwise
    # import them (and the analytics libraries) inside the browser's navigation timeout.
    get_resolver().url_patterns  # noqa: B018
    page = browser_page
    page.set_viewport_size({"width": 2200, "height": 900})  # every column on screen
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sales/opportunities/board/")

    def column(stage):
        return page.locator(f".opp-column[data-stage='{stage.pk}']")

    assert column(discovery).locator("[data-count]").inner_text() == "2"
    drag(page, page.locator(f"#card-{moving.pk}"),
         column(quotation).locator(".opp-cards"))
    wait_until(page, f"document.querySelector(\".opp-column[data-stage='{quotation.pk}'] "
                     "[data-count]\").textContent.trim() === '1'")
    assert column(discovery).locator("[data-count]").inner_text() == "1"
    assert column(quotation).locator("[data-total]").inner_text() == "120,000"
    assert column(quotation).locator(f"#card-{moving.pk}").count() == 1
    moving.refresh_from_db()
    assert moving.stage == quotation and moving.probability == 50

    # Dropping on "lost" asks why; the card moves only once a reason is given.
    drag(page, page.locator(f"#card-{losing.pk}"), column(lost).locator(".opp-cards"))
    page.locator("#loss-modal").wait_for(state="visible")
    page.select_option("#loss-reason", "competitor")
    page.fill("#loss-note", "对手报价低 10%")
    page.click("#loss-form button[type=submit]")
    page.locator("#loss-modal").wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    wait_until(page, f"document.querySelector(\".opp-column[data-stage='{lost.pk}'] "
                     "[data-count]\").textContent.trim() === '1'")
    losing.refresh_from_db()
    assert losing.stage == lost and losing.loss_reason == "competitor"
    assert column(discovery).locator("[data-count]").inner_text() == "0"

    # Someone else moved it meanwhile: the drop is refused with a message, the card reloads.
    Opportunity.objects.filter(pk=moving.pk).update(version=moving.version + 5)
    drag(page, page.locator(f"#card-{moving.pk}"), column(discovery).locator(".opp-cards"))
    page.locator("#board-message").wait_for(state="visible")
    assert "changed" in page.locator("#board-message").inner_text()
    wait_until(
        page, f"document.querySelector('#card-{moving.pk}')?.dataset.version === "
        f"'{moving.version + 5}'")
    assert column(quotation).locator(f"#card-{moving.pk}").count() == 1
    moving.refresh_from_db()
    assert moving.stage == quotation
    page.screenshot(path=str(SCREENSHOTS / "guanxi-board.png"))
