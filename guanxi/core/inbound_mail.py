"""Mail that arrives at the CRM, as one parsed value, and the handlers that take it.

A mailbox reader turns each message into an :class:`InboundMail` and offers it to the handlers
registered by the apps (service threads replies onto cases and opens cases from a support
mailbox, marketing records campaign replies and bounces, sales logs replies to e-mails sent from
the CRM). Handlers are asked in ``order``; the first that answers ``True`` has taken the message.
Core knows none of them: each app registers its own from ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InboundAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    mailbox: str  # the configured mailbox's name
    purpose: str  # what the mailbox is for: "support" opens cases, "replies" only threads
    message_id: str  # without angle brackets
    sender: str  # the bare address, lower-cased
    subject: str
    text: str  # the plain-text body (converted from HTML when there is no text part)
    received_at: datetime
    sender_name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    in_reply_to: str = ""
    references: tuple[str, ...] = ()  # oldest first, without angle brackets
    html: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    is_auto_reply: bool = False  # Auto-Submitted, X-Autoreply, Precedence: bulk/junk/list …
    is_bounce: bool = False  # a delivery status notification
    bounced_message_id: str = ""  # for a bounce: the Message-ID of the mail that bounced
    # What the reader could not keep (an attachment over the size limit …); also at the end
    # of ``text``, so a handler that keeps only the text keeps the notes.
    notes: tuple[str, ...] = ()

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this mail answers, nearest first."""
        ids = [self.in_reply_to, *reversed(self.references)]
        return tuple(dict.fromkeys(i for i in ids if i))


Handler = Callable[[InboundMail], bool]


@dataclass(frozen=True)
class _Registered:
    name: str
    handler: Handler
    order: int


_HANDLERS: dict[str, _Registered] = {}


def register_handler(name: str, handler: Handler, *, order: int = 50) -> None:
    """Offer inbound mail to ``handler``; a lower ``order`` is asked first."""
    _HANDLERS[name] = _Registered(name, handler, order)


def handlers() -> list[tuple[str, Handler]]:
    return [(h.name, h.handler) for h in sorted(_HANDLERS.values(),
                                                 key=lambda h: (h.order, h.name))]


def dispatch(mail: InboundMail) -> str | None:
    """Give ``mail`` to the first handler that takes it; its name, or None if none did."""
    for name, handler in handlers():
        if handler(mail):
            return name
    return None
