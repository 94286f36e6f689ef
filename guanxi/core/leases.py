"""Leases on long work, so a killed process never blocks it for good.

A process takes the lease on a record (``Leased``) with a conditional update — free, or
expired — and a heartbeat thread renews it while the work goes on. When the process dies the
renewals stop; once ``lease_until`` has passed, anyone may take the record over: a new
analysis marks the dead run failed, a worker resumes the dead import. Two processes never hold
one lease: the update that takes it is conditional, and a holder that finds its lease gone
(taken over after a stall) stops at its next check.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from types import TracebackType

from django.conf import settings
from django.db import close_old_connections, connection, connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict

log = logging.getLogger(__name__)


class LeaseTaken(Conflict):
    """Another live process holds the lease."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("This work is already under way in another process; "
                                      "wait until it finishes."), code="running")


class LeaseLost(Exception):
    """The lease expired and another process took the work over: stop without writing."""


def seconds() -> int:
    return max(1, int(getattr(settings, "GUANXI_LEASE_SECONDS", 60)))


def owner_name() -> str:
    """Who holds a lease: host and process, and a random part so two holders in one process
    differ."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


def expired(model: type[models.Model], now: dt.datetime | None = None) -> Q:
    """Records whose holder stopped renewing (or that never had one)."""
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now or timezone.now())


def acquire(model: type[models.Model], pk: int, owner: str, ttl: int | None = None) -> bool:
    now = timezone.now()
    until = now + dt.timedelta(seconds=ttl or seconds())
    return bool(model._default_manager.filter(expired(model, now), pk=pk)
                .update(lease_owner=owner, lease_until=until))


def renew(model: type[models.Model], pk: int, owner: str, ttl: int | None = None) -> bool:
    until = timezone.now() + dt.timedelta(seconds=ttl or seconds())
    return bool(model._default_manager.filter(pk=pk, lease_owner=owner)
                .update(lease_until=until))


def release(model: type[models.Model], pk: int, owner: str) -> None:
    model._default_manager.filter(pk=pk, lease_owner=owner).update(lease_owner="",
                                                                   lease_until=None)


class Lease:
    """``with Lease(Model, pk):`` holds the record's lease for the block, renewing it every
    third of its length from a thread with its own database connection. ``check()`` raises
    ``LeaseLost`` once a renewal found the lease taken over.

    Inside an outer transaction (tests, a dry run) nobody else can see the work anyway: the
    lease is taken but not renewed from a thread, which could not see the uncommitted row."""

    def __init__(self, model: type[models.Model], pk: int, ttl: int | None = None) -> None:
        self.model, self.pk, self.ttl = model, pk, ttl or seconds()
        self.owner = owner_name()
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Lease:
        if not acquire(self.model, self.pk, self.owner, self.ttl):
            raise LeaseTaken()
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._beat, daemon=True,
                                            name=f"lease-{self.model.__name__}-{self.pk}")
            self._thread.start()
        return self

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.ttl / 3):
                close_old_connections()
                try:
                    if not renew(self.model, self.pk, self.owner, self.ttl):
                        self.lost = True
                        return
                except Exception:  # a database hiccup: try again at the next beat
                    log.warning("could not renew the lease on %s %s", self.model.__name__,
                                self.pk, exc_info=True)
        finally:
            connections.close_all()

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(f"{self.model.__name__} {self.pk}")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if not self.lost:
            release(self.model, self.pk, self.owner)
