from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0002_search_token_c_collation"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="accountshare",
            options={"verbose_name": "share", "verbose_name_plural": "shares"},
        ),
        migrations.AlterModelOptions(
            name="approvalstep",
            options={"ordering": ["at", "id"], "verbose_name": "approval step",
                     "verbose_name_plural": "approval steps"},
        ),
        migrations.AlterModelOptions(
            name="timelineevent",
            options={"ordering": ["-at", "-id"], "verbose_name": "timeline event",
                     "verbose_name_plural": "timeline events"},
        ),
    ]
