"""Models of the data-in-and-out app, one module per area."""

from guanxi.integrations.models.hooks import *  # noqa: F403
from guanxi.integrations.models.imports import *  # noqa: F403
