"""The channels a campaign reaches its members on; see :mod:`.base`."""

from guanxi.marketing.channels.base import (
    Channel,
    Outcome,
    Rendered,
    channels,
    get_channel,
    register_channel,
)

__all__ = ["Channel", "Outcome", "Rendered", "channels", "get_channel", "register_channel"]
