"""Create or extend the demo database and print the logins."""

from __future__ import annotations

import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from guanxi.demo.build import build
from guanxi.demo.org import PASSWORD, URL, logins


class Command(BaseCommand):
    help = "Create or extend the demo database (at least --scale customers) and print logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=300,
                            help="how many customers the database should have (default 300)")
        parser.add_argument("--reset", action="store_true",
                            help="delete ALL data in this database first")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes generating rows for large scales (default: cores)")

    def handle(self, *args, scale: int, reset: bool, workers: int | None, **options) -> None:
        say = self.stdout.write
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            say(_("Deleting all data in %(db)s …") % {"db": _database()})
            call_command("flush", interactive=False, verbosity=0)
        say(_("Building the demo database in %(db)s …") % {"db": _database()})
        result = build(scale, workers=workers, say=say)
        say(_("%(total)s customers (%(new)s new) in %(s).1f s, of which ANALYZE %(a).1f s.")
            % {"total": f"{result.total:,}", "new": f"{result.showcased + result.bulk_loaded:,}",
               "s": result.seconds, "a": result.analyze_seconds})
        header = (_("username"), _("role"), _("name"), _("team"))
        rows = [header, *((u, r, d, t) for u, d, r, t in logins(result.org))]
        widths = [max(_cells(row[i]) for row in rows) + 2 for i in range(3)]
        say("")
        say(_("Sign in at %(url)s — every password is “%(pw)s”:") % {"url": URL, "pw": PASSWORD})
        for row in rows:
            say("  " + "".join(_pad(str(v), w) for v, w in zip(row, widths, strict=False))
                + str(row[3]))
        say(_("More sales reps: rep_li, rep_zhao, rep_huang, … (same password)."))


def _cells(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _cells(text), 1)


def _database() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings["NAME"])
    return f"postgresql://{settings.get('HOST') or 'localhost'}/{settings['NAME']}"
