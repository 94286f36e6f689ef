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


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"help", "-h", "--help"}:
        print(USAGE)
        if not args:
            sys.exit(2)
        return
    command, rest = args[0], args[1:]
    if command == "serve":
        serve(rest)
    elif command == "worker":
        django_main(["guanxi", "worker", *rest])
    else:
        django_main(["guanxi", command, *rest])


if __name__ == "__main__":
    main()
