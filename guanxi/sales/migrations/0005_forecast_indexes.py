"""Covering indexes for the forecast and funnel figures: each figure reads one index range
(open deals by stage and expected close, closed deals by stage and closing date, deals by
creation date, stage changes by opportunity) without visiting the rows. ``is_active`` is a
key column as well as the condition: SQLite counts a column the query names as covered only
when the index holds it. Plain SQL that both databases accept; the tables' model state does
not change."""

from django.db import migrations

INDEXES = {
    "opp_forecast_open": "sales_opportunity (stage_id, expected_close, is_active, owner_id, "
                         "team_id, amount, probability) WHERE is_active",
    "opp_forecast_closed": "sales_opportunity (stage_id, closed_at, is_active, owner_id, "
                           "team_id, amount, created_at, loss_reason) WHERE is_active",
    "opp_funnel_created": "sales_opportunity (created_at, is_active, stage_id, owner_id, "
                          "team_id) WHERE is_active",
    "stagechange_opp_stage": "sales_stagechange (opportunity_id, to_stage_id)",
}


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_opps_board_index")]
    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}",
                          f"DROP INDEX IF EXISTS {name}")
        for name, definition in INDEXES.items()
    ]
