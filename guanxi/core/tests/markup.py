"""Payloads that would run script if a page let them become markup, and a check of a page's
HTML for any that did: an ``<img>`` with ``onerror``, a ``<script>`` running ``alert``, an
event-handler attribute or a ``javascript:`` link calling ``alert``. The check parses the HTML
as tags (html.parser): escaped text is text there, not elements."""

from __future__ import annotations

from html.parser import HTMLParser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '"><script>alert(1)</script>'
JS_URL = "javascript:alert(1)"
# ECharts reads {a}, {b} … in string formatters and {name|text} as rich text.
TEMPLATE = "{a}{b}{c}{@html}"
PAYLOADS = (IMG, SCRIPT, JS_URL, TEMPLATE)
ALL = SCRIPT + IMG + TEMPLATE


def payload(max_length: int | None = None) -> str:
    """The longest payload that fits a field of ``max_length`` characters."""
    for text in (ALL, SCRIPT + IMG, IMG, "<img src=x onerror=alert(1)", "<svg onload=alert(1)>"):
        if max_length is None or len(text) <= max_length:
            return text
    return "<b>"[:max_length]


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        bad = tag == "img" and any(name == "onerror" for name, _value in attrs)
        for name, value in attrs:
            text = "".join((value or "").split()).lower()
            bad |= name.startswith("on") and "alert(" in text
            bad |= name in _URL_ATTRIBUTES and text.startswith("javascript:") and "alert(" in text
        if bad:
            self.found.append(self.get_starttag_text() or tag)
        if tag == "script":
            self._script = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if self._script.strip().startswith("alert("):
                self.found.append(f"<script>{self._script}</script>")
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data


def injected(html: str | bytes) -> list[str]:
    """The elements and attributes of ``html`` that a payload turned into markup."""
    finder = _Finder()
    finder.feed(html.decode() if isinstance(html, bytes) else html)
    finder.close()
    return finder.found
