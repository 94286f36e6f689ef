"""Every API token expires: tokens made to last forever get the site's longest lifetime,
counted from now."""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def give_an_end(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "GUANXI_API_TOKEN_MAX_DAYS", 365)
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=days))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(give_an_end, migrations.RunPython.noop),
    ]
