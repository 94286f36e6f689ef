from django.db import migrations


def c_collation(apps, schema_editor):
    # Prefix range scans need byte order; on PostgreSQL that is the "C" collation.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE customers_searchtoken ALTER COLUMN token TYPE varchar(32) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(c_collation, migrations.RunPython.noop)]
