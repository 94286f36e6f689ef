from django.db import migrations

from guanxi.orders.defaults import add_default_rules


def add_rules(apps, schema_editor):
    add_default_rules(apps.get_model("orders", "ReviewRule"))


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
