"""The ``guanxi`` command: ``guanxi demo``, ``guanxi serve``, ``guanxi worker``,
``guanxi bench`` and every Django management command (``guanxi migrate``, …)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

USAGE = """usage: guanxi COMMAND [options]

  demo [--scale N] [--reset]   create or extend the demo database (logins are printed)
  serve [--host H] [--port P]  run the web server and a background worker
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
    parser = argparse.ArgumentParser(prog="guanxi serve")
    parser.add_argument("--host", default=os.environ.get("GUANXI_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("GUANXI_PORT", "8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a background worker next to the web server")
    opts = parser.parse_args(args)
    _setup()
    django_main(["guanxi", "migrate", "--noinput", "-v", "0"])
    worker = None
    if not opts.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "guanxi.cli", "worker"])
    print(f"Guanxi is running at http://{opts.host}:{opts.port}/  (Ctrl-C stops it)", flush=True)
    try:
        subprocess.call([sys.executable, "-m", "gunicorn", "guanxi.wsgi:application",
                         "--bind", f"{opts.host}:{opts.port}", "--workers", str(opts.workers),
                         "--access-logfile", "-", "--graceful-timeout", "5"])
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(10)


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
        django_main(["guanxi", "run_huey", *rest])
    else:
        django_main(["guanxi", command, *rest])


if __name__ == "__main__":
    main()
