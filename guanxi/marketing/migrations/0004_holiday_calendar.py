"""The greeting calendar for 2026 and 2027 (``marketing/defaults.py``)."""

from django.db import migrations


def add(apps, schema_editor):
    from guanxi.marketing.defaults import add_holidays

    add_holidays(apps.get_model("marketing", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("marketing", "0003_greetings")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
