"""``guanxi worker``: the Huey consumer, with the outbox dispatcher running next to it."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

from guanxi.core import outbox


class Command(RunHuey):
    help = "Run the background workers and hand committed outbox tasks to them"

    def handle(self, *args: Any, **options: Any) -> None:
        stop = outbox.start_dispatcher()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
