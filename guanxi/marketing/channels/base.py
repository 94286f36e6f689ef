"""The one interface every campaign channel implements, and their registry.

A campaign names its channel by key ("email", "sms", "phone", "event", "wechat"). The sender
(:mod:`guanxi.marketing.services.sending`) asks the channel, member by member, for the address
it reaches them at, checks consent on the channel's consent channel, renders the message and
hands it to :meth:`Channel.deliver`. Channels that are not sent (a phone call list worked by
agents, an exhibition's invitations) answer ``pushes = False`` and build their own work in
:meth:`Channel.launch`. Responses that arrive later (delivery receipts, replies, registrations,
clicks) are recorded with :func:`guanxi.marketing.services.responses.record_response`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from guanxi.customers.models import Contact
    from guanxi.marketing.models import Campaign, CampaignMember


@dataclass(frozen=True)
class Rendered:
    """One member's message after merge fields: subject (empty for SMS), text, HTML."""

    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: ``sent`` (handed over), else ``error`` says why.
    ``permanent`` failures (a refused address) are not retried; ``message_id`` lets replies,
    receipts and bounces find the member again."""

    sent: bool
    message_id: str = ""
    error: str = ""
    permanent: bool = False
    data: dict[str, Any] = field(default_factory=dict)


class Channel:
    """Subclass and register one instance per channel from ``plugins.register()``."""

    key: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    #: The consent channel asked before reaching a member ("email", "sms", "phone", "wechat").
    consent_channel: ClassVar[str] = "email"
    #: True when the worker sends each member a message; False for call lists and events.
    pushes: ClassVar[bool] = True
    #: People work the campaign after launch (a call list, check-in, links to share), so it
    #: may still be cancelled once its messages are all out.
    worked: ClassVar[bool] = False
    #: Messages have a subject line (and so an A/B subject variant).
    has_subject: ClassVar[bool] = True
    #: Sends per minute when the campaign sets no rate.
    default_rate_per_minute: ClassVar[int] = 600

    def address_of(self, contact: Contact) -> str:
        """Where this channel reaches ``contact``; empty when it cannot."""
        raise NotImplementedError

    def clean_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The channel's settings in ``Campaign.options`` checked (an event's venue and
        capacity): the cleaned options, and errors naming each bad one."""
        return options, {}

    def check_message(self, campaign: Campaign) -> dict[str, list[str]]:
        """Errors in the campaign's messages for this channel (field → messages), e.g. an SMS
        over the length limit; empty when it may be sent."""
        return {}

    def open_batch(self, campaign: Campaign) -> Any:
        """A connection or client kept for one batch of sends (e.g. one SMTP session)."""
        return None

    def close_batch(self, batch: Any) -> None:
        """Close what :meth:`open_batch` opened."""

    def deliver(self, batch: Any, campaign: Campaign, member: CampaignMember,
                message: Rendered) -> Outcome:
        """Send one member's message; never raises for a refused address (an Outcome)."""
        raise NotImplementedError

    def launch(self, campaign: Campaign) -> None:
        """Called once when the campaign starts, after members are frozen (call lists,
        invitations). Channels that push do nothing here."""


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> Channel:
    if not channel.key:
        raise ValueError("a channel needs a key")
    _CHANNELS[channel.key] = channel
    return channel


def get_channel(key: str) -> Channel | None:
    return _CHANNELS.get(key)


def channels() -> dict[str, Channel]:
    return dict(_CHANNELS)
