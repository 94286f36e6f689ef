"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests and the
bench: Django's SMTP backend talks to it as to any mail server."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Collector:
    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.count = 0
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        if self.keep:
            message = email.message_from_bytes(envelope.original_content or envelope.content,
                                               policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(keep: bool = True) -> tuple[Controller, Collector]:
    handler = Collector(keep)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler


def use(settings, controller: Controller) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "市场部 <marketing@guanxi.example>"
