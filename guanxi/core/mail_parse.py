"""Turning the bytes of an e-mail into an :class:`~guanxi.core.inbound_mail.InboundMail`.

Mail from China arrives in every charset: GB2312 labels that hold GBK characters, GB18030,
Big5 from Taiwan and Hong Kong, raw 8-bit GBK in headers from older mailers. Labels are widened
to their supersets (GB2312 and GBK are read as GB18030) and unlabelled bytes are tried as UTF-8,
then GB18030, then Big5, so a subject is never a row of question marks.

A message the parser cannot read as MIME (a multipart without its boundary, no sender) raises
:class:`BrokenMail` with a sentence saying why; the reader records it and goes on.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from collections.abc import Iterator
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.inbound_mail import InboundAttachment, InboundMail

# Labels mailers put on Chinese text, read by the codec that covers what they really send.
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "x-euc-cn": "gb18030", "gb_2312-80": "gb18030", "chinese": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949", "unknown-8bit": "utf-8", "x-unknown": "utf-8",
}
_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")

_AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自動回覆|自动答复|自動回復|auto(matic)?[ -]?(reply|response|antwort)|"
    r"autoreply|out of (the )?office|不在办公室|休假|vacation|abwesenheitsnotiz|"
    r"réponse automatique)\b|^\s*(auto|autoreply)\s*:",
    re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery (status notification|failure|has failed)|returned mail|"
    r"mail delivery failed|failure notice|退信|退回|投递失败|系統退信|系统退信)", re.IGNORECASE)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_MESSAGE_ID_LINE = re.compile(r"^message-id:\s*<?([^<>\s]+)>?", re.IGNORECASE | re.MULTILINE)


class BrokenMail(Exception):
    """The message cannot be read as e-mail; ``str()`` says why, for the mailbox log."""


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in ``charset`` (widened), or in the first charset that fits."""
    label = (charset or "").strip().strip('"').lower()
    if label:
        codec = _CHARSET_ALIASES.get(label, label)
        try:
            return data.decode(codec)
        except LookupError:
            pass  # an unknown label: guess below
        except UnicodeDecodeError:
            for fallback in _FALLBACKS:
                try:
                    return data.decode(fallback)
                except UnicodeDecodeError:
                    continue
            return data.decode(codec, errors="replace")
    for fallback in _FALLBACKS:
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def decode_header_value(raw: str) -> str:
    """A header's text: RFC 2047 encoded words decoded (charsets widened), raw 8-bit bytes
    guessed, folding removed."""
    if not raw:
        return ""
    # Raw 8-bit bytes reach us surrogate-escaped; give them back as bytes to guess.
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        raw = decode_bytes(raw.encode("ascii", "surrogateescape"))
    try:
        parts = decode_header(raw)
    except Exception:  # a malformed encoded word: keep the header as written
        return " ".join(raw.split())
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset) if charset else
                       chunk.decode("ascii", errors="replace"))
        else:
            out.append(chunk)
    # decode_header drops the space between an encoded word and plain text only when both
    # are encoded words; plain chunks keep their own spacing.
    text = ""
    for i, piece in enumerate(out):
        if i and parts[i - 1][1] is None and parts[i][1] is not None and \
                not text.endswith(" "):
            text += " "
        elif i and parts[i - 1][1] is not None and parts[i][1] is None and \
                not piece.startswith(" "):
            piece = " " + piece
        text += piece
    return " ".join(text.split())


def _raw(msg: Message, name: str) -> str:
    """The header as it was written (the policy's own decoding drops GBK in GB2312 labels)."""
    values = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()] \
        if isinstance(msg, EmailMessage) else [str(v) for v in msg.get_all(name, [])]
    return values[0] if values else ""


def _ids(value: str) -> tuple[str, ...]:
    found = _MESSAGE_ID.findall(value or "")
    if not found and value and value.strip() and " " not in value.strip():
        found = [value.strip()]  # a bare id some mailers write without brackets
    return tuple(dict.fromkeys(found))


def _addresses(raw: str) -> tuple[str, ...]:
    pairs = getaddresses([raw]) if raw else []
    return tuple(dict.fromkeys(addr.strip().lower() for _name, addr in pairs
                               if "@" in addr))


# --- Bodies ----------------------------------------------------------------------------------

class _HtmlText(HTMLParser):
    """HTML to readable text: block elements become line breaks, links keep their target,
    scripts and styles vanish."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
              "blockquote", "pre", "hr", "ul", "ol", "section", "article", "header", "footer"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0
        self._href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self._href.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")
        elif tag == "td":
            self.out.append("\t")
        if tag == "a" and self._href:
            href = self._href.pop()
            if href.startswith(("http://", "https://")) and href not in "".join(self.out[-3:]):
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.out).splitlines()]
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything left is not worth failing a mail for
        return re.sub(r"<[^>]+>", " ", html)
    return parser.text()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    if not isinstance(payload, bytes):
        payload = str(payload).encode("utf-8", "surrogateescape")
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: Message) -> str:
    name = part.get_param("filename", header="content-disposition") or \
        part.get_param("name", header="content-type") or ""
    if isinstance(name, tuple):  # RFC 2231: (charset, language, value)
        charset, _lang, value = name
        name = decode_bytes(value.encode("latin-1", "replace"), charset) if charset else value
    return decode_header_value(str(name)).replace("/", "_").replace("\\", "_")[:200]


def _is_attachment(part: Message) -> bool:
    """A file rather than the body: declared so, or anything but plain text and HTML (an
    image, a calendar invitation, a forwarded message)."""
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text":
        return part.get_content_subtype() not in ("plain", "html")
    return True


def _leaves(part: Message) -> Iterator[Message]:
    """The parts that hold content, in order; a forwarded message is one part (its own
    text is not this message's body)."""
    if part.get_content_type() == "message/rfc822":
        yield part
    elif part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _leaves(sub)
    else:
        yield part


def _attachment_data(part: Message) -> bytes | None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes() if isinstance(inner, Message) else None
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else None


def _size(part: Message) -> int:
    """The decoded size of a part, without decoding it (base64 is 3 bytes per 4)."""
    raw = part.get_payload()
    if not isinstance(raw, str):
        return 0
    if (part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64":
        return len(raw) * 3 // 4
    return len(raw)


def _check_structure(msg: Message) -> None:
    for part in msg.walk():
        for defect in getattr(part, "defects", []):
            name = type(defect).__name__
            if name in ("NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect",
                        "MultipartInvariantViolationDefect"):
                raise BrokenMail(_("The message's MIME structure is broken (%(defect)s): its "
                                   "parts cannot be told apart.") % {"defect": name})


# --- Auto-replies and bounces ----------------------------------------------------------------

def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Autoresponder"):
        return True
    if (msg.get("Precedence") or "").strip().lower() in ("bulk", "junk", "list",
                                                         "auto_reply"):
        return True
    return bool(_AUTO_SUBJECT.search(subject))


def _bounce(msg: Message, sender: str, subject: str) -> tuple[bool, str]:
    """Whether ``msg`` is a delivery failure report, and the Message-ID of the mail that
    bounced when the report carries it."""
    report = msg.get_content_type() == "multipart/report" and \
        str(msg.get_param("report-type") or "").lower() == "delivery-status"
    local = sender.split("@")[0]
    if not report and not (local in _BOUNCE_SENDERS or
                           (not sender and _BOUNCE_SUBJECT.search(subject))):
        return False, ""
    if not report and local in _BOUNCE_SENDERS and not _BOUNCE_SUBJECT.search(subject) \
            and not any(p.get_content_type() in ("message/delivery-status", "message/rfc822",
                                                 "text/rfc822-headers") for p in msg.walk()):
        return False, ""  # postmaster also writes to people: without a failure, no report
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                ids = _ids(str(inner.get("Message-ID") or ""))
                if ids:
                    return True, ids[0]
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            found = _MESSAGE_ID_LINE.search(_part_text(part))
            if found:
                return True, found.group(1)
    # Many servers quote the original headers in the plain text of the report.
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            found = _MESSAGE_ID_LINE.search(_part_text(part))
            if found:
                return True, found.group(1)
    return True, ""


def headline(raw: bytes) -> dict[str, str]:
    """Message-ID, sender and subject of a message that cannot be parsed as a whole, for the
    log that says which message failed; empty strings where even they cannot be read."""
    try:
        msg = BytesHeaderParser(policy=policy.default).parsebytes(raw[:65536])
        ids = _ids(_raw(msg, "Message-ID"))
        return {"message_id": ids[0][:300] if ids else "",
                "sender": parseaddr(decode_header_value(_raw(msg, "From")))[1][:254].lower(),
                "subject": decode_header_value(_raw(msg, "Subject"))[:300]}
    except Exception:
        return {}


# --- The whole message -----------------------------------------------------------------------

def parse(raw: bytes, *, mailbox: str = "", purpose: str = "replies",
          max_attachment_bytes: int = 25 * 1024 * 1024, truncated_at: int = 0,
          received_at: dt.datetime | None = None) -> InboundMail:
    """Parse ``raw`` into an InboundMail. ``truncated_at``: the reader fetched only the first
    that many bytes of an oversized message; its attachments are named, not kept."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:  # the parser itself gave up
        raise BrokenMail(_("The message cannot be parsed: %(error)s") % {"error": exc}) \
            from exc
    if not truncated_at:
        _check_structure(msg)
    sender_name, sender = parseaddr(decode_header_value(_raw(msg, "From")))
    sender = sender.strip().lower()
    if "@" not in sender and not _raw(msg, "From"):
        raise BrokenMail(_("The message has no sender (From header)."))
    subject = decode_header_value(_raw(msg, "Subject"))

    text_parts: list[str] = []
    html_parts: list[str] = []
    attachments: list[InboundAttachment] = []
    notes: list[str] = []
    limit_mb = max(1, max_attachment_bytes // (1024 * 1024))
    is_report = msg.get_content_type() == "multipart/report"
    for part in _leaves(msg):
        ctype = part.get_content_type()
        if is_report and ctype in ("message/delivery-status", "text/rfc822-headers",
                                   "message/rfc822"):
            continue  # the report's machinery: read by _bounce
        if part is not msg and _is_attachment(part):
            name = _filename(part) or (_("message") + ".eml" if ctype == "message/rfc822"
                                       else _("attachment"))
            if truncated_at:
                notes.append(_("The attachment “%(name)s” was not kept: the message is "
                               "larger than %(limit)s MB.") % {"name": name, "limit": limit_mb})
                continue
            if _size(part) > max_attachment_bytes:
                notes.append(_("The attachment “%(name)s” was not kept: it is larger than "
                               "%(limit)s MB.") % {"name": name, "limit": limit_mb})
                continue
            try:
                data = _attachment_data(part)
            except Exception:
                data = None
            if data is None:
                notes.append(_("The attachment “%(name)s” could not be read.")
                             % {"name": name})
                continue
            attachments.append(InboundAttachment(name=name, content_type=ctype, data=data))
        elif ctype == "text/html":
            html_parts.append(_part_text(part))
        elif part.get_content_maintype() == "text":
            text_parts.append(_part_text(part))
    if truncated_at and not notes:
        notes.append(_("Parts of this message were not kept: it is larger than %(limit)s MB.")
                     % {"limit": limit_mb})
    html = "\n".join(html_parts)
    text = "\n\n".join(t.strip("\n") for t in text_parts) if text_parts else \
        html_to_text(html)
    if notes:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + \
            "\n".join(f"[{note}]" for note in notes)

    date = received_at
    try:
        header_date = parsedate_to_datetime(_raw(msg, "Date")) if _raw(msg, "Date") else None
    except (TypeError, ValueError, IndexError):
        header_date = None
    if header_date is not None:
        if timezone.is_naive(header_date):
            header_date = timezone.make_aware(header_date, dt.UTC)
        date = header_date
    message_ids = _ids(_raw(msg, "Message-ID"))
    in_reply_to = _ids(_raw(msg, "In-Reply-To"))
    is_bounce, bounced = _bounce(msg, sender, subject)
    return InboundMail(
        mailbox=mailbox, purpose=purpose,
        message_id=message_ids[0] if message_ids else "",
        sender=sender, sender_name=sender_name.strip()[:200], subject=subject[:998],
        text=text, html=html, received_at=date or timezone.now(),
        to=_addresses(_raw(msg, "To")), cc=_addresses(_raw(msg, "Cc")),
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=_ids(" ".join(str(v) for v in msg.get_all("References", []))),
        attachments=tuple(attachments), is_auto_reply=_is_auto_reply(msg, subject),
        is_bounce=is_bounce, bounced_message_id=bounced, notes=tuple(notes))
