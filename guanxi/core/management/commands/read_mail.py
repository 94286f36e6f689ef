"""``guanxi read_mail``: read the configured mailboxes once, as the worker does every minute."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.core import mailboxes


class Command(BaseCommand):
    help = "Read the mailboxes of GUANXI_MAILBOXES once and hand the new mail to the handlers"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", action="append", dest="names", metavar="NAME",
                            help="only this mailbox (repeatable)")
        parser.add_argument("--limit", type=int, default=None,
                            help="read at most this many messages per mailbox")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = mailboxes.read_all(options["names"], limit=options["limit"])
        except Exception as exc:  # a wrong GUANXI_MAILBOXES: say which entry
            raise CommandError(str(exc)) from None
        if not results:
            self.stdout.write("No mailbox is configured (GUANXI_MAILBOXES).")
            return
        failed = False
        for r in results:
            if r.busy:
                self.stdout.write(f"{r.mailbox}: another reader is reading it; skipped.")
            elif r.error:
                failed = True
                self.stderr.write(f"{r.mailbox}: {r.error}")
            else:
                self.stdout.write(f"{r.mailbox}: {r.read} read — {r.handled} handled, "
                                  f"{r.unhandled} taken by no handler, {r.failed} failed "
                                  f"({r.seconds:.1f} s).")
        if failed:
            raise CommandError("Some mailboxes could not be read.")
