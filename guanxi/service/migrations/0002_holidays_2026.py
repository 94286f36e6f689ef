"""Seed the holiday calendar with the State Council's published schedule (see holidays.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from guanxi.service import holidays

    Holiday = apps.get_model("service", "Holiday")
    for year in sorted(holidays.CALENDAR):
        for date, kind, name in holidays.days(year):
            Holiday.objects.get_or_create(date=date, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
