"""The database cache's table: login throttles and other shared counters live there when no
Redis is configured (and while Redis is unreachable), so ``guanxi migrate`` is all it takes."""

from django.db import migrations


def create(apps, schema_editor):
    from guanxi.core.cache import create_cache_table

    create_cache_table(schema_editor.connection.alias)


def drop(apps, schema_editor):
    from guanxi.core.cache import CACHE_TABLE

    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_notification'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
