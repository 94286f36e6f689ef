"""The one interface for background work. Apps declare tasks with these decorators in their
``tasks.py``; Huey runs them (SQLite storage by default, Redis with REDIS_URL, inline when
GUANXI_TASKS_IMMEDIATE is set). Start workers with ``guanxi worker``."""

from huey import crontab
from huey.contrib.djhuey import HUEY as queue
from huey.contrib.djhuey import db_periodic_task as periodic
from huey.contrib.djhuey import db_task as background

__all__ = ["background", "crontab", "periodic", "queue"]
