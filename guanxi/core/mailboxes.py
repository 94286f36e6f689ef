"""Reading the configured IMAP mailboxes into the inbound mail handlers.

``GUANXI_MAILBOXES`` names the mailboxes, each ``name=URL``, separated by spaces, commas or
new lines::

    support=imaps://support%40example.cn:secret@imap.example.cn/INBOX?purpose=support
    replies=imap+starttls://crm:secret@mail.example.cn:143/?purpose=replies&move_to=Done

``imaps`` is IMAP over TLS (port 993), ``imap+starttls`` upgrades a plain connection (port
143) before logging in, ``imap`` is plain text and only allowed to a loopback address. The
user and password are percent-encoded (``@`` is ``%40``). Query parameters: ``purpose``
(``support``: new threads open cases; ``replies``, the default: only replies are threaded),
``folder`` (or the URL's path; ``INBOX`` when empty), ``move_to`` (a folder handled messages
are moved to; without it they are marked read) and ``cafile`` (a CA bundle for a server
whose certificate a private CA signed).

One reader per mailbox at a time: the reader holds the lease on the mailbox's ``Mailbox``
row. Each message is handled in its own transaction that also moves the mailbox's last UID
forward; only after that commit is the message marked read (or moved) on the server. A
reader killed in between reads the message again next time — and finds its UID already
recorded, so it is not handled twice. A message that cannot be parsed, or whose handler
fails, is recorded as failed with the reason and left unread on the server; the reader goes
on with the next. A database outage stops the run without moving past the message.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import logging
import re
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from guanxi.core import inbound_mail, leases
from guanxi.core.mail_parse import BrokenMail, headline, parse
from guanxi.core.models import InboundMessage, Mailbox

log = logging.getLogger(__name__)

PURPOSES = ("support", "replies")
_SCHEMES = {"imaps": ("tls", 993), "imap+starttls": ("starttls", 143), "imap": ("plain", 143)}
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
# Of a message over the size limit only this much is fetched: enough for its headers and
# text, whose attachments are then named and left out.
PEEK_BYTES = 512 * 1024


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    purpose: str
    host: str
    port: int
    security: str  # "tls", "starttls" or "plain"
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    move_to: str = ""
    cafile: str = ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_config(value: str) -> list[MailboxConfig]:
    """The mailboxes named in a ``GUANXI_MAILBOXES`` value; ImproperlyConfigured says which
    entry is wrong and why (never with its password)."""
    configs: list[MailboxConfig] = []
    for entry in re.split(r"[\s,]+", value or ""):
        if not entry:
            continue
        name, sep, url = entry.partition("=")
        if not sep or not _NAME.match(name):
            raise ImproperlyConfigured(
                f"GUANXI_MAILBOXES: each entry is name=imaps://user:password@host/…; "
                f"{name[:60]!r} is not (a name is letters, digits, '.', '_' or '-').")
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise ImproperlyConfigured(
                f"GUANXI_MAILBOXES: mailbox {name!r} must use imaps://, imap+starttls:// or "
                f"imap:// (loopback only), not {parts.scheme!r}.")
        security, default_port = _SCHEMES[parts.scheme]
        host = parts.hostname or ""
        if not host or not parts.username:
            raise ImproperlyConfigured(
                f"GUANXI_MAILBOXES: mailbox {name!r} needs a user and a host.")
        if security == "plain" and not _is_loopback(host):
            raise ImproperlyConfigured(
                f"GUANXI_MAILBOXES: mailbox {name!r} would send its password in clear text "
                f"to {host}: use imaps:// or imap+starttls:// (imap:// is for loopback only).")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        purpose = query.get("purpose", "replies")
        if purpose not in PURPOSES:
            raise ImproperlyConfigured(
                f"GUANXI_MAILBOXES: mailbox {name!r} has purpose {purpose!r}; use "
                f"{' or '.join(PURPOSES)}.")
        if any(c.name == name for c in configs):
            raise ImproperlyConfigured(f"GUANXI_MAILBOXES: mailbox {name!r} is named twice.")
        try:
            port = parts.port or default_port
        except ValueError:
            raise ImproperlyConfigured(
                f"GUANXI_MAILBOXES: mailbox {name!r} has an invalid port.") from None
        folder = query.get("folder") or unquote(parts.path.lstrip("/")) or "INBOX"
        configs.append(MailboxConfig(
            name=name, purpose=purpose, host=host, port=port, security=security,
            user=unquote(parts.username), password=unquote(parts.password or ""),
            folder=folder, move_to=query.get("move_to", ""), cafile=query.get("cafile", "")))
    return configs


def configured() -> list[MailboxConfig]:
    return parse_config(getattr(settings, "GUANXI_MAILBOXES", ""))


def max_bytes() -> int:
    return max(1, int(getattr(settings, "GUANXI_MAIL_MAX_MB", 25))) * 1024 * 1024


# --- IMAP ------------------------------------------------------------------------------------

class MailboxError(Exception):
    """The server could not be reached, refused the login or a command."""


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(result: tuple[str, list], what: str) -> list:
    typ, data = result
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise MailboxError(f"{what}: {typ} {detail}"[:500])
    return data


def connect(config: MailboxConfig) -> imaplib.IMAP4:
    """A logged-in connection to the mailbox's server."""
    timeout = int(getattr(settings, "GUANXI_MAIL_TIMEOUT", 30))
    context = ssl.create_default_context(cafile=config.cafile or None)
    try:
        imap: imaplib.IMAP4
        if config.security == "tls":
            imap = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=context,
                                     timeout=timeout)
        else:
            imap = imaplib.IMAP4(config.host, config.port, timeout=timeout)
            if config.security == "starttls":
                imap.starttls(ssl_context=context)
        try:
            imap.login(config.user, config.password)
        except imaplib.IMAP4.error as exc:
            imap.shutdown()
            raise MailboxError(f"login refused for {config.user}: {exc}") from None
        # The greeting's capabilities are those before the login; MOVE and UIDPLUS come after.
        typ, data = imap.capability()
        if typ == "OK" and data and data[-1]:
            imap.capabilities = tuple(data[-1].decode().upper().split())
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise MailboxError(f"cannot reach {config.host}:{config.port}: {exc}") from exc
    return imap


def _uids(data: list) -> list[int]:
    return sorted({int(x) for x in b" ".join(d for d in data if d).split()})


_FETCH_ITEM = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)")


def _sizes(imap: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    """Each message's size, in one round trip per 500 UIDs."""
    sizes: dict[int, int] = {}
    for start in range(0, len(uids), 500):
        chunk = ",".join(str(u) for u in uids[start:start + 500])
        for line in _check(imap.uid("FETCH", chunk, "(RFC822.SIZE)"), "FETCH size"):
            raw = line[0] if isinstance(line, tuple) else line
            if not isinstance(raw, bytes):
                continue
            uid = size = None
            for found in _FETCH_ITEM.finditer(raw):
                if found.group(1):
                    uid = int(found.group(1))
                else:
                    size = int(found.group(2))
            if uid is not None and size is not None:
                sizes[uid] = size
    return sizes


def _fetch(imap: imaplib.IMAP4, uid: int, peek: int = 0) -> bytes | None:
    """The message's bytes (the first ``peek`` of them when given), without marking it read;
    None when it has gone (expunged meanwhile)."""
    item = f"(BODY.PEEK[]<0.{peek}>)" if peek else "(BODY.PEEK[])"
    typ, data = imap.uid("FETCH", str(uid), item)
    if typ != "OK":
        return None
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def _done(imap: imaplib.IMAP4, config: MailboxConfig, uids: list[int]) -> None:
    """After the handlers' commits: mark the messages read, or move them away."""
    if not uids:
        return
    which = ",".join(map(str, uids))
    if not config.move_to:
        _check(imap.uid("STORE", which, "+FLAGS.SILENT", r"(\Seen)"), "STORE")
        return
    if "MOVE" in imap.capabilities:
        _check(imap.uid("MOVE", which, _quote(config.move_to)), "MOVE")
        return
    _check(imap.uid("COPY", which, _quote(config.move_to)), "COPY")
    _check(imap.uid("STORE", which, "+FLAGS.SILENT", r"(\Seen \Deleted)"), "STORE")
    if "UIDPLUS" in imap.capabilities:
        _check(imap.uid("EXPUNGE", which), "EXPUNGE")


def _response_number(imap: imaplib.IMAP4, code: str) -> int | None:
    _typ, data = imap.response(code)
    try:
        return int(data[0]) if data and data[0] is not None else None
    except (TypeError, ValueError):
        return None


# --- Reading ---------------------------------------------------------------------------------

@dataclass
class ReadResult:
    mailbox: str
    handled: int = 0
    unhandled: int = 0
    failed: int = 0
    busy: bool = False  # another reader holds the mailbox
    error: str = ""
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return self.handled + self.unhandled + self.failed


def read_mailbox(config: MailboxConfig, *, limit: int | None = None) -> ReadResult:
    """Read what arrived in ``config``'s mailbox since the last run (at most ``limit``
    messages) through the handlers. Never raises for the server's faults: they are in the
    result's ``error`` and on the Mailbox row."""
    result = ReadResult(config.name)
    started = time.monotonic()
    state, _created = Mailbox.objects.get_or_create(name=config.name)
    try:
        with leases.Lease(Mailbox, state.pk) as lease:
            imap = connect(config)
            try:
                _read(imap, config, state.pk, lease, result, limit)
            finally:
                with contextlib.suppress(OSError, imaplib.IMAP4.error):
                    imap.logout()
    except leases.LeaseTaken:
        result.busy = True
    except (MailboxError, OSError, imaplib.IMAP4.error) as exc:
        result.error = str(exc)[:1000] or type(exc).__name__
        log.warning("mailbox %s: %s", config.name, result.error)
    except leases.LeaseLost:
        result.error = "another reader took the mailbox over"
    result.seconds = time.monotonic() - started
    Mailbox.objects.filter(pk=state.pk).update(last_read_at=timezone.now(),
                                               last_error=result.error)
    return result


def _read(imap: imaplib.IMAP4, config: MailboxConfig, pk: int, lease: leases.Lease,
          result: ReadResult, limit: int | None) -> None:
    if config.move_to:
        imap.create(_quote(config.move_to))  # "already exists" is an answer too
    _check(imap.select(_quote(config.folder)), f"SELECT {config.folder}")
    uidvalidity = _response_number(imap, "UIDVALIDITY") or 0
    uidnext = _response_number(imap, "UIDNEXT")
    state = Mailbox.objects.get(pk=pk)
    if state.uidvalidity != uidvalidity:
        # First contact, or the server renumbered the folder: what is unread is new to us;
        # Message-IDs already recorded are not handled again.
        uids = _uids(_check(imap.uid("SEARCH", "UNSEEN"), "SEARCH"))
        start = uids[0] - 1 if uids else max(0, (uidnext or 1) - 1)
        Mailbox.objects.filter(pk=pk).update(uidvalidity=uidvalidity, last_uid=start)
        floor, fresh_epoch = 0, True
    else:
        # "n:*" always answers the highest UID, even when it is below n: filter.
        floor, fresh_epoch = state.last_uid, False
        uids = [u for u in _uids(_check(imap.uid("SEARCH", f"UID {floor + 1}:*"), "SEARCH"))
                if u > floor]
    if limit is not None and not fresh_epoch:
        uids = uids[:limit]
    sizes = _sizes(imap, uids) if uids else {}
    biggest = max_bytes()
    seen_ids: set[str] = set()
    if fresh_epoch:
        seen_ids = set(InboundMessage.objects.filter(mailbox_id=pk)
                       .exclude(message_id="").values_list("message_id", flat=True))
    done: list[int] = []  # committed, to be marked read (a round trip per 50, not per mail)
    try:
        for uid in uids:
            lease.check()
            size = sizes.get(uid, 0)
            raw = _fetch(imap, uid, PEEK_BYTES if size > biggest else 0)
            if raw is None:
                with transaction.atomic():
                    _record(pk, uid, InboundMessage.Status.FAILED, "", "The server did not "
                            "return the message (deleted meanwhile?).",
                            {"mailbox_id": pk, "uidvalidity": uidvalidity, "uid": uid})
                result.failed += 1
                continue
            status = _take(config, pk, uidvalidity, uid, raw, size, biggest, seen_ids)
            setattr(result, status, getattr(result, status) + 1)
            if status == InboundMessage.Status.HANDLED:
                done.append(uid)
            if len(done) >= 50:
                _done(imap, config, done)
                done = []
    except BaseException:
        # A handler, the lease or the database stopped the run: what committed is still
        # marked, if the server is there to hear it; the first error is the one to tell.
        with contextlib.suppress(OSError, imaplib.IMAP4.error, MailboxError):
            _done(imap, config, done)
        raise
    _done(imap, config, done)
    if fresh_epoch and uidnext:
        # Everything below UIDNEXT at the SELECT was either unread (handled above) or read
        # before the CRM came: the next run starts after it.
        Mailbox.objects.filter(pk=pk, last_uid__lt=uidnext - 1).update(last_uid=uidnext - 1)


def _take(config: MailboxConfig, pk: int, uidvalidity: int, uid: int, raw: bytes, size: int,
          biggest: int, seen_ids: set[str]) -> str:
    """Parse and hand over one message, recording it and moving the mailbox past it in the
    handler's own transaction; the status it got."""
    row: dict[str, object] = {"mailbox_id": pk, "uidvalidity": uidvalidity, "uid": uid,
                              "size": size or len(raw)}
    error = ""
    try:
        mail = parse(raw, mailbox=config.name, purpose=config.purpose,
                     max_attachment_bytes=biggest,
                     truncated_at=len(raw) if size > biggest else 0)
    except BrokenMail as exc:
        mail, error = None, str(exc)
    except Exception as exc:  # the parser met something new: record it, go on
        mail, error = None, f"The message cannot be parsed: {type(exc).__name__}: {exc}"
    if mail is not None:
        row.update(message_id=mail.message_id[:300], sender=mail.sender[:254],
                   subject=mail.subject[:300])
    else:
        row.update(headline(raw))
    try:
        with transaction.atomic():
            recorded = (InboundMessage.objects.filter(mailbox_id=pk, uidvalidity=uidvalidity,
                                                      uid=uid).values_list("status", flat=True)
                        .first())
            if recorded is not None:
                return recorded  # by a reader that died before moving past it
            if mail is None:
                status, handler = InboundMessage.Status.FAILED, ""
            elif mail.message_id and mail.message_id in seen_ids:
                status, handler = InboundMessage.Status.HANDLED, "(already read)"
            else:
                handler = inbound_mail.dispatch(mail) or ""
                status = (InboundMessage.Status.HANDLED if handler
                          else InboundMessage.Status.UNHANDLED)
            _record(pk, uid, status, handler, error, row)
            return status
    except (OperationalError, InterfaceError):
        raise  # the database is away: stop here, this message is read again next time
    except Exception as exc:
        log.exception("mailbox %s: a handler failed on UID %s", config.name, uid)
        with transaction.atomic():
            _record(pk, uid, InboundMessage.Status.FAILED, "",
                    f"A handler failed: {type(exc).__name__}: {exc}", row)
        return InboundMessage.Status.FAILED


def _record(pk: int, uid: int, status: str, handler: str, error: str, row: dict) -> None:
    InboundMessage.objects.create(status=status, handler=handler[:100], error=error[:5000],
                                  **row)
    Mailbox.objects.filter(pk=pk, last_uid__lt=uid).update(last_uid=uid)


def read_all(names: list[str] | None = None, *, limit: int | None = None) -> list[ReadResult]:
    """Read every configured mailbox (or those named), one after the other."""
    configs = configured()
    if names:
        unknown = set(names) - {c.name for c in configs}
        if unknown:
            raise ImproperlyConfigured(
                f"No mailbox named {', '.join(sorted(unknown))} in GUANXI_MAILBOXES.")
        configs = [c for c in configs if c.name in names]
    return [read_mailbox(c, limit=limit) for c in configs]

