"""The default pipeline the papers describe: discovery → tracking → quotation → tender/bid →
contract review → won / lost."""

from django.db import migrations

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


def create(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name_en="Sales", name_zh="销售", is_default=True)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, key=key, name_en=en, name_zh=zh, position=i,
              probability=p, kind=kind)
        for i, (key, en, zh, p, kind) in enumerate(STAGES))


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
