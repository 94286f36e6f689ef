"""``guanxi bench --only marketing``: counting segments of several rules over every customer,
and sending an e-mail campaign to ``--members`` members (default 100,000) through the worker's
sender to a real SMTP server on loopback.

Sending reports messages per second and the process's peak memory growth while sending: the
sender streams members in batches, so memory stays flat whatever the campaign's size. The
SMTP server (aiosmtpd) runs in this process and only counts what it receives, so the figure
is a floor: a separate server would take its share of the CPU off the sender."""

from __future__ import annotations

import json
import os
import platform
import resource
import threading
import time
from typing import TextIO

from django.db import transaction

from bench.scenarios import Result, Scenario, database_label, run
from guanxi.customers.models import Account, Contact
from guanxi.marketing.models import Campaign, CampaignMember, SegmentMember
from guanxi.marketing.selectors import segments as seg_sel
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.sending import send_campaign

TARGET_MS = 2000  # a segment's count at a million customers, on either database

RULES = (
    ("industry + province + size", {"industry": "manufacturing", "province": "广东省",
                                    "size": "large"}),
    ("industry + standing + owner team", {"industry": "energy", "standing": "customer",
                                          "team": "1"}),
    ("tag + source + completeness", {"tag": "VIP", "source": "exhibition",
                                     "completeness_lt": "80"}),
    ("province + standing", {"province": "江苏省", "standing": "customer"}),
    ("every customer (completeness < 101)", {"completeness_lt": "101"}),
)


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def count_scenarios(admin) -> list[Scenario]:
    return [Scenario(f"segment count: {name}",
                     [lambda r=rules: seg_sel.count(admin, r)]) for name, rules in RULES]


def send(org, members: int, err: TextIO) -> dict:
    from django.conf import settings

    from guanxi.marketing.tests import smtp

    marketing = org.users["marketing"]
    # A static segment of the first customers with an e-mail address (a tenth more than
    # wanted, for those who refused e-mail): freezing a whole million-customer segment to
    # keep 100,000 would time the freeze, not the sender.
    segment = seg_svc.create_segment(marketing, {
        "name": f"bench {time.time():.0f}", "kind": "static", "rules": {}})
    picked = Contact.objects.filter(is_active=True).exclude(email="") \
        .order_by("account_id").values_list("account_id", flat=True).distinct()
    rows: list[SegmentMember] = []
    for account_id in picked[:members + members // 10].iterator(chunk_size=5000):
        rows.append(SegmentMember(segment=segment, account_id=account_id))
        if len(rows) == 5000:
            SegmentMember.objects.bulk_create(rows)
            rows = []
    SegmentMember.objects.bulk_create(rows)
    campaign = svc.create_campaign(marketing, {
        "name": "bench", "subject_zh": "{{ contact.name }}，您好", "control_percent": 0,
        "body_zh": "新品发布 https://www.example.com/new\n{{ account.name }}",
        "rate_per_minute": 100000}, segments=[segment])
    controller, handler = smtp.start(keep=False)
    saved = {k: getattr(settings, k, None) for k in (
        "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
        "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL")}
    try:
        smtp.use(settings, controller)
        err.write(f"Freezing up to {members:,} members …")
        started = time.perf_counter()
        with transaction.atomic():
            campaign.refresh_from_db()
            svc.launch_campaign(marketing, campaign, campaign.version, seed=1)
            # Keep the first ``members`` (the segment may hold more customers).
            extra = CampaignMember.objects.filter(campaign=campaign).order_by("id") \
                .values_list("id", flat=True)[members:members + 1]
            if extra:
                CampaignMember.objects.filter(campaign=campaign, id__gte=extra[0]).delete()
        frozen = CampaignMember.objects.filter(campaign=campaign).count()
        freeze_s = time.perf_counter() - started
        err.write(f"  {frozen:,} members in {freeze_s:.1f} s; sending …")
        before = _peak_kib()
        result: dict = {}

        def work() -> None:  # the worker's thread: its own connection, as under Huey
            from django.db import connections

            try:
                result["sent"] = send_campaign(campaign.pk)
            finally:
                connections.close_all()

        started = time.perf_counter()
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        seconds = time.perf_counter() - started
        campaign.refresh_from_db()
        return {"members": frozen, "freeze_s": round(freeze_s, 1), "sent": result.get("sent", 0),
                "received_by_smtp": handler.count, "seconds": round(seconds, 1),
                "messages_per_s": round(result.get("sent", 0) / seconds, 1) if seconds else 0,
                "peak_rss_growth_mib": round((_peak_kib() - before) / 1024, 1),
                "status": campaign.status}
    finally:
        controller.stop()
        for key, value in saved.items():
            setattr(settings, key, value)
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)


def main(org, members: int, repeat: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    results: list[Result] = []
    for scenario in count_scenarios(org.users["admin"]):
        results.append(run(scenario, repeat))
        err.write(f"  {scenario.name}: p95 {results[-1].pct(95):.1f} ms")
    sending = send(org, members, err) if members else {}
    meta = {"database": database_label(), "customers": Account.objects.count(),
            "repeat": repeat, "python": platform.python_version(),
            "machine": platform.machine(), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "count_target_ms": TARGET_MS}
    if as_json:
        out.write(json.dumps({"meta": meta, "results": [r.as_dict() for r in results],
                              "sending": sending}, ensure_ascii=False, indent=2))
        return
    out.write(f"{meta['database']}: {meta['customers']:,} customers, {repeat} counts each; "
              f"{meta['date']}, load average {' '.join(map(str, meta['load_average']))}")
    out.write(f"{'scenario':52} {'p50':>9} {'p95':>9} {'p99':>9}  ms")
    for r in results:
        verdict = "meets" if r.pct(95) <= TARGET_MS else "MISSES"
        out.write(f"{r.name:52} {r.pct(50):9.1f} {r.pct(95):9.1f} {r.pct(99):9.1f}  "
                  f"{verdict} ≤ {TARGET_MS:,} ms")
    if sending:
        out.write(f"campaign to {sending['members']:,} members (frozen in "
                  f"{sending['freeze_s']} s): {sending['sent']:,} sent in {sending['seconds']} s "
                  f"= {sending['messages_per_s']} messages/s, peak memory +"
                  f"{sending['peak_rss_growth_mib']} MiB, SMTP received "
                  f"{sending['received_by_smtp']:,}")
