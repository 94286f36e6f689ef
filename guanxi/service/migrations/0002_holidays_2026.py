"""Seed the holiday calendar with the State Council's published schedule (see holidays.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from guanxi.service.defaults import add_holidays

    add_holidays(apps.get_model("service", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
