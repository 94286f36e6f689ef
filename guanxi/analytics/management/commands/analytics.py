"""``guanxi analytics fit …`` fits the lifetime-value models on any transaction file;
``guanxi analytics run`` recomputes every stored customer metric; ``guanxi analytics import``
adds the transactions of a CSV file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Customer analytics: fit models on a transaction file, or recompute stored metrics."

    def add_arguments(self, parser: CommandParser) -> None:
        from guanxi.analytics.engine import cli
        from guanxi.analytics.services import commands

        sub = parser.add_subparsers(dest="action", required=True)
        fit = sub.add_parser("fit", help="fit BG/NBD, Pareto/NBD and Gamma-Gamma on a CSV file")
        cli.add_fit_arguments(fit)
        run = sub.add_parser("run", help="recompute every customer's metrics in the database")
        commands.add_run_arguments(run)
        load = sub.add_parser("import", help="add the transactions of a CSV file")
        commands.add_import_arguments(load)

    def handle(self, *args, action: str, **options) -> None:
        if action == "fit":
            from guanxi.analytics.engine import cli

            cli.fit(options, out=self.stdout, err=self.stderr)
        else:
            from guanxi.analytics.services import commands

            act = commands.run if action == "run" else commands.import_file
            act(options, out=self.stdout, err=self.stderr)
