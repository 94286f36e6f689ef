"""A check that every date, time and number input in some HTML carries a value the browser
accepts: browsers read these only in ISO / plain form and silently empty anything else
(2027/03/31, 1,234.50), so a page in Chinese would lose the value on the next save."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# What the HTML standard accepts in value, min and max, per input type.
ACCEPTED = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "number": re.compile(r"-?\d+(\.\d+)?"),
    "range": re.compile(r"-?\d+(\.\d+)?"),
}


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            found = dict(attrs)
            if (found.get("type") or "").lower() in ACCEPTED:
                self.found.append(found)


def typed_inputs(html: str) -> list[dict[str, str | None]]:
    """The attributes of every date/datetime/time/number input in ``html``."""
    parser = _Inputs()
    parser.feed(html)
    return parser.found


def input_problems(html: str) -> list[str]:
    """One line per value, min or max a browser would discard, naming the input."""
    problems = []
    for attrs in typed_inputs(html):
        kind = (attrs.get("type") or "").lower()
        for name in ("value", "min", "max"):
            value = attrs.get(name)
            if value and not ACCEPTED[kind].fullmatch(value):
                problems.append(f'<input type="{kind}" name="{attrs.get("name")}"> '
                                f'{name}="{value}"')
    return problems


def valued_inputs(html: str) -> dict[str, str]:
    """name → value of the typed inputs that carry a value."""
    return {str(a.get("name") or a.get("id")): str(a["value"])
            for a in typed_inputs(html) if a.get("value")}


class _Form(HTMLParser):
    """The fields of the <form action=``action``>, as a browser would submit them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.data = action, False, []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside or (tag != "form" and "disabled" in a):
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ACCEPTED and value and not ACCEPTED[kind].fullmatch(value):
                value = ""  # what the browser does with a value it cannot read
            self.data.append((a["name"], value))
        elif tag == "select":
            self._select, self._first_option, self._chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a and not self._chosen:
                self.data.append((self._select, a.get("value", "")))
                self._chosen = True
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea or "", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.data.pop()
            self.data.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._chosen and self._first_option is not None:
                self.data.append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def submitted(html: str, action: str) -> dict[str, str]:
    """What a browser posts from the form with ``action`` in ``html``, unchanged by the user
    (date, time and number values it cannot read are sent empty, as browsers do)."""
    parser = _Form(action)
    parser.feed(html)
    return dict(parser.data)
