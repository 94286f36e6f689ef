"""Measure search, the list and 360° pages and entering a customer at a given scale."""

from __future__ import annotations

import json
import platform
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from guanxi.customers.models import Account
from guanxi.demo.build import build


class Command(BaseCommand):
    help = "Benchmark on the current database, first growing it to --scale customers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=None,
                            help="at least this many customers (demo data is added if fewer; "
                                 "default 10,000, and 300 with --only load)")
        parser.add_argument("--opportunities", type=int, default=0,
                            help="at least this many opportunities (bulk-loaded if fewer)")
        parser.add_argument("--repeat", type=int, default=50, help="timed calls per scenario")
        parser.add_argument("--only", default="",
                            help="run scenarios whose name contains this text")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument("--import-rows", type=int, default=0,
                            help="instead: import a generated customer CSV of this many rows "
                                 "(--only import: 20,000 then 1,000,000)")
        parser.add_argument("--import-batch", type=int, default=0,
                            help="rows per transaction for the imports (default: as an "
                                 "import of that size takes)")
        parser.add_argument("--transactions", type=int, default=None,
                            help="with --only analytics: at least this many transactions "
                                 "(simulated for every customer if fewer; default 10,000,000); "
                                 "with --only analytics-cli: rows of the file (2,770,000)")
        parser.add_argument("--invoices", type=int, default=1_000_000,
                            help="with --only receivables: at least this many invoices "
                                 "(bulk-loaded if fewer)")
        parser.add_argument("--cases", type=int, default=1_000_000,
                            help="with --only service: at least this many cases "
                                 "(added in bulk when fewer)")
        parser.add_argument("--members", type=int, default=100_000,
                            help="with --only marketing: members of the campaign sent "
                                 "(0: only count segments)")
        parser.add_argument("--assets", type=int, default=200_000,
                            help="with --only assets: at least this many assets "
                                 "(added in bulk when fewer)")
        parser.add_argument("--quote-lines", type=int, default=200,
                            help="with --only quotes: lines per quote")
        parser.add_argument("--duration", type=int, default=60,
                            help="with --only load: seconds of load")
        parser.add_argument("--users", type=int, default=None,
                            help="with --only load or api: users sending requests at once "
                                 "(default 50, and 10 with --only api)")
        parser.add_argument("--think-ms", type=int, default=0,
                            help="with --only load: mean pause of a user between requests")
        parser.add_argument("--order-lines", type=int, default=1_000_000,
                            help="with --only crosssell: generated order lines to mine")
        parser.add_argument("--mails", type=int, default=1000,
                            help="with --only mail: messages read from a local IMAP server")
        parser.add_argument("--customers", type=int, default=1_000_000,
                            help="with --only analytics: at least this many customers "
                                 "(bare rows added fast if fewer); with --only analytics-cli: "
                                 "customers in the file")
        parser.add_argument("--rounds", type=int, default=1,
                            help="with --only analytics-cli: runs of each side (best counts)")

    def handle(self, *args, scale: int | None, repeat: int, only: str, json: bool,
               opportunities: int, **options) -> None:
        if str(settings.BASE_DIR) not in sys.path:
            sys.path.insert(0, str(settings.BASE_DIR))
        from bench import sales, scenarios

        if only == "analytics-cli":  # a file and two programs: no database involved
            from bench import analytics_cli

            analytics_cli.main(settings.VAR_DIR, options["customers"],
                               options["transactions"] or 2_770_000, options["rounds"],
                               out=self.stdout, err=self.stderr, as_json=json)
            return
        call_command("migrate", interactive=False, verbosity=0)
        if options["import_rows"] or only == "import":
            from bench import imports

            rows = [options["import_rows"]] if options["import_rows"] else [20_000, 1_000_000]
            imports.main(self.stdout, rows, options["import_batch"], settings.VAR_DIR, json)
            return
        if scale is None:
            scale = 300 if only in ("load", "mail", "api") else 10_000
        have = Account.objects.count()
        if have < scale:
            self.stderr.write(f"Growing the database from {have:,} to {scale:,} customers …")
            result = build(scale, say=self.stderr.write)
            self.stderr.write(f"  done in {result.seconds:.0f} s")
        org = build(0).org
        if only == "analytics":  # one long run timed by phase, not repeated calls
            from bench import analytics

            analytics.main(options["transactions"] or 10_000_000, options["customers"], org.reps,
                           out=self.stdout, err=self.stderr, as_json=json)
            return
        if only == "crosssell":  # rule quality on the orders' time split, mining speed
            from bench import crosssell

            crosssell.main(options["order_lines"], out=self.stdout, err=self.stderr,
                           as_json=json)
            return
        if only == "load":  # a served instance under many users: its own figures
            from bench import load

            load.main(options["duration"], options["users"] or 50, options["think_ms"],
                      out=self.stdout, err=self.stderr, as_json=json)
            return
        if only == "marketing":  # segment counts and a campaign sent through the worker
            from bench import marketing

            marketing.main(org, options["members"], repeat, out=self.stdout, err=self.stderr,
                           as_json=json)
            return
        if only == "mail":  # one reader run over a local dovecot: mails per second
            from bench import mail

            mail.main(options["mails"], out=self.stdout, err=self.stderr, as_json=json)
            return
        if only == "api":  # the customer API's list and detail through gunicorn
            from bench import api

            api.main(options["duration"], options["users"] or 10, out=self.stdout,
                     err=self.stderr, as_json=json)
            return
        if only in ("quotes", "receivables"):  # quote to cash: their own data and figures
            from bench import quotes, receivables

            if only == "quotes":
                quotes.main(org, options["quote_lines"], repeat, out=self.stdout,
                            err=self.stderr, as_json=json)
            else:
                receivables.main(org, options["invoices"], repeat, out=self.stdout,
                                 err=self.stderr, as_json=json)
            return
        if only == "service":  # cases, queues and SLA recompute: their own data and figures
            from bench import service

            service.main(org, options["cases"], repeat, out=self.stdout, err=self.stderr,
                         as_json=json)
            return
        if only == "assets":  # the installed base: Ctrl-K by VIN, asset and 360° pages
            from bench import service_assets

            service_assets.main(org, options["assets"], repeat, out=self.stdout,
                                err=self.stderr, as_json=json)
            return
        sales.grow(org, opportunities, say=self.stderr.write)
        chosen = [s for s in scenarios.all_scenarios(org.users["admin"], org.users["rep"],
                                                     org.users["manager"])
                  if only in s.name]
        results = []
        for scenario in chosen:
            results.append(scenarios.run(scenario, repeat))
            if not json:
                self.stderr.write(f"  {scenario.name}: p95 {results[-1].pct(95):.1f} ms")
        meta = {"database": scenarios.database_label(), "customers": Account.objects.count(),
                "search_tokens": scenarios.token_count(), **sales.counts(), "repeat": repeat,
                "python": platform.python_version(), "machine": platform.machine()}
        if json:
            self.stdout.write(_json({"meta": meta, "results": [r.as_dict() for r in results]}))
            return
        self.stdout.write(f"{meta['database']}: {meta['customers']:,} customers, "
                          f"~{meta['search_tokens']:,} search tokens, "
                          f"{meta['opportunities']:,} opportunities, {repeat} calls each")
        width = max((len(r.name) for r in results), default=8) + 2
        self.stdout.write(f"{'scenario':<{width}}{'p50':>9}{'p95':>9}{'p99':>9}  (ms)")
        for r in results:
            self.stdout.write(f"{r.name:<{width}}{r.pct(50):>9.2f}{r.pct(95):>9.2f}"
                              f"{r.pct(99):>9.2f}  {r.note}")


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
