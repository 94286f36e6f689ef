"""``guanxi demo``: make sure the demo database has the organisation, the logins and at least
``scale`` customers; the first few hundred go through the services, the rest in bulk."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from guanxi.customers.models import Account
from guanxi.demo import analytics as analytics_demo
from guanxi.demo import bulk, showcase
from guanxi.demo import marketing as marketing_demo
from guanxi.demo import marketing_channels as marketing_channels_demo
from guanxi.demo import marketing_reach as marketing_reach_demo
from guanxi.demo import orders as orders_demo
from guanxi.demo import sales as sales_demo
from guanxi.demo import service as service_demo
from guanxi.demo import service_assets as service_assets_demo
from guanxi.demo.org import DemoOrg, ensure_org

SHOWCASE = 300  # customers entered one by one through the services


@dataclass
class Result:
    org: DemoOrg
    before: int
    showcased: int
    bulk_loaded: int
    seconds: float
    analyze_seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.before + self.showcased + self.bulk_loaded


def build(scale: int, *, workers: int | None = None,
          say: Callable[[str], None] = lambda _m: None) -> Result:
    started = time.perf_counter()
    org = ensure_org()
    before = Account.objects.count()
    showcased = showcase.add_customers(
        org, max(0, min(scale, SHOWCASE) - before),
        progress=lambda n: say(_("  %(n)s customers entered through the services") % {"n": n}))
    showcase.add_workflows(org)
    missing = scale - before - showcased
    loaded = bulk.load(org, missing, workers=workers,
                       progress=lambda n: say(_("  %(n)s / %(total)s customers loaded")
                                                % {"n": f"{n:,}", "total": f"{missing:,}"}))
    analyze = bulk.analyze() if showcased or loaded else 0.0
    sales_demo.add(org, say=say)
    orders_demo.add(org, say=say)
    analytics_demo.add(org, say=say)
    service_demo.add(org, say=say)
    marketing_demo.add(org, say=say)
    marketing_reach_demo.add(org, say=say)
    marketing_channels_demo.add(org, say=say)
    service_assets_demo.add(org, say=say)
    return Result(org=org, before=before, showcased=showcased, bulk_loaded=loaded,
                  seconds=time.perf_counter() - started, analyze_seconds=analyze)
