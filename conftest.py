"""Shared fixtures: an organisation with named personas.

Acme 集团 (company) → 华东区 (region) → 上海一组 (team A) and 杭州组 (team A2)
                    → 华南区 (region) → 深圳组 (team B)

rep, teammate (team A reps), manager (manager of 华东区), assistant (team A), finance,
other_rep (team B), other_manager (manager of 华南区), admin, executive, marketing, delivery
(delivery owner), collection (collection owner).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

# Browser fixtures (one chromium per test process) for every app's browser tests.
pytest_plugins = ["guanxi.core.tests.browser"]


@pytest.fixture(autouse=True)
def _english(settings):
    # A fast hasher: tests create many users; strength is Django's concern, not ours here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _task_queue_of_this_run(tmp_path_factory):
    """Tasks queued by tests (after a commit on a live server, say) go to a queue file of this
    run and worker, not to var/tasks.sqlite3 that a developer's worker may be consuming, and
    parallel workers never share one."""
    from huey.storage import SqliteStorage

    from guanxi.core.tasks import queue

    if not isinstance(queue.storage, SqliteStorage):
        yield
        return
    before = queue.storage
    queue.storage = SqliteStorage(queue.name, filename=str(tmp_path_factory.mktemp("tasks")
                                                           / "tasks.sqlite3"))
    yield
    queue.storage = before


@pytest.fixture(autouse=True)
def _fresh_sidebar_badges():
    """The sidebar keeps badge counts in memory for a minute: each test counts afresh."""
    from guanxi.core.navigation import forget_badges

    forget_badges()


@pytest.fixture(autouse=True)
def _default_pipeline(request):
    """Tests on a live server flush every table afterwards, the defaults migrations made
    included (pipeline, review rules, holiday calendars): put them back for each test that uses
    the database."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    from guanxi.marketing.defaults import ensure_holidays as ensure_greeting_calendar
    from guanxi.orders.defaults import ensure_review_rules
    from guanxi.sales.defaults import ensure_default_pipeline
    from guanxi.service.defaults import ensure_holidays

    ensure_default_pipeline()
    ensure_review_rules()
    ensure_holidays()
    ensure_greeting_calendar()


@pytest.fixture
def tasks_inline():
    """Background tasks run in the committing thread, as a worker would run them."""
    from guanxi.core.tasks import queue

    before, queue.immediate = queue.immediate, True
    try:
        yield
    finally:
        queue.immediate = before


@pytest.fixture
def org(db):
    from guanxi.accounts.models import Team, User, UserRole

    company = Team.objects.create(name="Acme 集团", kind=Team.Kind.COMPANY)
    east = Team.objects.create(name="华东区", kind=Team.Kind.REGION, parent=company)
    south = Team.objects.create(name="华南区", kind=Team.Kind.REGION, parent=company)
    team_a = Team.objects.create(name="上海一组", parent=east)
    team_a2 = Team.objects.create(name="杭州组", parent=east)
    team_b = Team.objects.create(name="深圳组", parent=south)

    def person(username, team, *roles, display=""):
        user = User.objects.create_user(username=username, password="pw-Guanxi-2026",
                                        email=f"{username}@example.com", team=team,
                                        display_name=display or username, language="en")
        for role in roles:
            UserRole.objects.create(user=user, role=role)
        return user

    ns = SimpleNamespace(
        company=company, east=east, south=south, team_a=team_a, team_a2=team_a2,
        team_b=team_b,
        rep=person("rep", team_a, "rep", display="王芳"),
        teammate=person("teammate", team_a, "rep", display="李强"),
        hz_rep=person("hz_rep", team_a2, "rep", display="赵敏"),
        manager=person("manager", east, "manager", display="陈经理"),
        assistant=person("assistant", team_a, "assistant", display="刘内勤"),
        finance=person("finance", company, "finance", display="周会计"),
        other_rep=person("other_rep", team_b, "rep", display="黄伟"),
        other_manager=person("other_manager", south, "manager", display="吴经理"),
        admin=person("admin", company, "admin", display="管理员"),
        executive=person("executive", company, "executive", display="老板"),
        marketing=person("marketing", company, "marketing", display="市场部"),
        delivery=person("delivery", company, "delivery", display="郑交付"),
        collection=person("collection", company, "collection", display="冯回款"),
    )
    return ns


@pytest.fixture
def make_account(org):
    """Create a customer through the service, as ``by`` (default: the rep)."""
    from guanxi.customers import services

    counter = iter(range(1, 100000))

    def make(by=None, name=None, force=True, **fields):
        n = next(counter)
        data = {"name": name or f"测试客户{n}号有限公司", "industry": "manufacturing"} | fields
        contacts = data.pop("contacts", [])
        return services.create_account(by or org.rep, data, contacts=contacts, force=force)

    return make


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (moto, server mode) for the whole run; see
    guanxi/core/tests/object_store.py."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.skip("moto[server] is not installed: `uv sync` installs the dev dependencies")
    from guanxi.core.tests.object_store import S3Server

    server = S3Server().start()
    yield server
    server.stop()
