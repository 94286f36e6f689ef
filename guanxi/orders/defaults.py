"""The review steps a new installation starts with; administrators change them as data.
They come back when a database has none (after ``guanxi demo --reset``)."""

from __future__ import annotations

from decimal import Decimal

# flow, position, English, Chinese, role, condition, threshold, due hours. The technical step
# goes to delivery owners (they know what production can do) and the legal step to
# administrators until an administrator names the technical and legal reviewers.
DEFAULT_RULES = (
    ("quote", 1, "Sales manager", "销售经理", "manager", "over_customer_rate", None, 24),
    ("quote", 2, "General manager", "总经理", "executive", "over_company_limit", None, 24),
    ("contract", 1, "Sales manager", "销售经理", "manager", "always", None, 24),
    ("contract", 2, "Technical review", "技术评审", "delivery", "always", None, 48),
    ("contract", 3, "Finance", "财务", "finance", "always", None, 48),
    ("contract", 4, "Legal", "法务", "admin", "amount_at_least", Decimal("1000000"), 72),
    ("order", 1, "Production feasibility", "生产评审", "delivery", "always", None, 24),
    ("order", 2, "Sales manager", "销售经理", "manager", "always", None, 24),
    ("expense", 1, "Sales manager", "销售经理", "manager", "always", None, 72),
    ("expense", 2, "Finance", "财务", "finance", "amount_at_least", Decimal("5000"), 72),
)


def add_default_rules(rule_model) -> None:
    if rule_model.objects.exists():
        return
    rule_model.objects.bulk_create([
        rule_model(flow=flow, position=pos, name_en=en, name_zh=zh, approver_role=role,
                   condition=cond, threshold=threshold, due_hours=hours)
        for flow, pos, en, zh, role, cond, threshold, hours in DEFAULT_RULES])


def ensure_review_rules() -> None:
    from guanxi.orders.models import ReviewRule

    add_default_rules(ReviewRule)
