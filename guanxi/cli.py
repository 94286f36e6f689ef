"""The ``guanxi`` command: ``guanxi demo``, ``guanxi serve``, ``guanxi worker``,
``guanxi bench`` and every Django management command (``guanxi migrate``, …)."""

from __future__ import annotations

import os
import sys

USAGE = """usage: guanxi COMMAND [options]

  demo [--scale N] [--reset]   create or extend the demo database (logins are printed)
  serve [--host H] [--port P]  run the web server and a background worker (serve --help)
  worker                       run background workers only
  bench [--scale N] ...        measure search, lists, 360° page and create at a scale
  help                         this text; any other command is a Django management command
"""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def django_main(argv: list[str]) -> None:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def serve(args: list[str]) -> None:
    from guanxi import serve as supervisor

    sys.exit(supervisor.main(args))


# Options every Django command takes: with one of these, ``analytics fit`` goes through Django.
DJANGO_OPTIONS = ("--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
                  "--skip-checks", "-v", "--verbosity")


def _engine_only(command: str, rest: list[str]) -> bool:
    """``analytics fit`` needs numpy and scipy only: setting Django and every app up first
    would cost seconds on each run."""
    return command == "analytics" and rest[:1] == ["fit"] and not any(
        arg.split("=")[0] in DJANGO_OPTIONS or arg.startswith("-v") for arg in rest)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"help", "-h", "--help"}:
        print(USAGE)
        if not args:
            sys.exit(2)
        return
    command, rest = args[0], args[1:]
    if _engine_only(command, rest):
        from guanxi.analytics.engine import cli as engine_cli

        sys.exit(engine_cli.main(rest[1:]))
    if command == "serve":
        serve(rest)
    elif command == "worker":
        django_main(["guanxi", "worker", *rest])
    else:
        django_main(["guanxi", command, *rest])


if __name__ == "__main__":
    main()
