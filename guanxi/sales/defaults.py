"""The default pipeline the papers describe: discovery → tracking → quotation → tender/bid →
contract review → won / lost. Created by a migration, and again whenever a database has no
pipeline at all (after ``guanxi demo --reset`` flushes every table, say)."""

from __future__ import annotations

from django.db import transaction

from guanxi.sales.models import Pipeline, Stage

STAGES = [
    # key, English, Chinese, probability, kind
    ("discovery", "Discovery", "发现商机", 10, "open"),
    ("tracking", "Tracking", "跟踪商机", 25, "open"),
    ("quotation", "Quotation", "报价", 50, "open"),
    ("tender", "Tender / bid", "招投标", 65, "open"),
    ("contract_review", "Contract review", "合同评审", 80, "open"),
    ("won", "Won", "赢单", 100, "won"),
    ("lost", "Lost", "输单", 0, "lost"),
]


@transaction.atomic
def ensure_default_pipeline() -> Pipeline | None:
    """Create the default pipeline if there is no pipeline; return it (None if others exist)."""
    if Pipeline.objects.exists():
        return None
    pipeline = Pipeline.objects.create(name_en="Sales", name_zh="销售", is_default=True)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, key=key, name_en=en, name_zh=zh, position=i,
              probability=p, kind=kind)
        for i, (key, en, zh, p, kind) in enumerate(STAGES))
    return pipeline
