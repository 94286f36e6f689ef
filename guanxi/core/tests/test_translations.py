"""The Simplified Chinese translation is complete, compiled, and each user reads the interface in
the language they chose."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PASSWORD = "pw-Guanxi-2026"


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgstr (msgstr[0] for plurals) and flags."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            field = {"msgstr[0]": "msgstr"}.get(keyword, keyword)
            entry[field] = ast.literal_eval(value)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    return [e for e in po_entries(LC_MESSAGES / "django.po") if e["msgid"]]


def test_every_string_is_translated_and_checked(entries):
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not e["msgstr"].strip()]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_their_placeholders(entries):
    placeholder = re.compile(r"%\(\w+\)[-.\d]*[sdf]|%%|%[sd]|\{\w*\}")
    for e in entries:
        source = e.get("msgid_plural") or e["msgid"]
        assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(e["msgstr"])), \
            e["msgid"]


def test_compiled_catalog_matches_the_po_file(entries):
    """The .mo is committed (a server may lack gettext): it must hold what the .po says."""
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for e in entries:
        if e.get("msgid_plural"):
            found = catalog.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], 1) \
                if "msgctxt" in e else catalog.ngettext(e["msgid"], e["msgid_plural"], 1)
        elif "msgctxt" in e:
            found = catalog.pgettext(e["msgctxt"], e["msgid"])
        else:
            found = catalog.gettext(e["msgid"])
        assert found == e["msgstr"], e["msgid"]


def sign_in(client, user, language: str):
    """Sign in through the login form, as a person would: the session takes the user's
    language from there on."""
    user.language = language
    user.save(update_fields=["language"])
    response = client.post(reverse("account_login"),
                           {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302


CHINESE = {
    "list": ["新建客户", "负责人", "数据完整度", "最近跟进", "更多筛选"],
    "detail": ["时间线", "联系人", "写跟进", "待办事项", "客户价值", "个人资料",
               "统一社会信用代码"],
}
ENGLISH = {
    "list": ["Customers", "New customer", "Owner", "Completeness", "Last follow-up",
             "More filters"],
    "detail": ["Timeline", "Contacts", "Log follow-up", "Open items", "Value", "Profile",
               "Registration id"],
}


def pages(account) -> dict[str, str]:
    return {"list": reverse("customers:list"),
            "detail": reverse("customers:detail", args=[account.pk])}


def test_a_user_who_chose_chinese_reads_chinese_labels(client, org, make_account):
    account = make_account()
    sign_in(client, org.rep, "zh-hans")
    for page, url in pages(account).items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert response["Content-Language"] == "zh-hans"
        assert 'lang="zh-hans"' in html
        for label in CHINESE[page]:
            assert label in html, (page, label)
        for label in ("Completeness", "Timeline", "Log follow-up", "Last follow-up"):
            assert f">{label}<" not in html, (page, label)


def test_a_user_who_chose_english_reads_english_labels(client, org, make_account):
    account = make_account()
    sign_in(client, org.rep, "en")
    for page, url in pages(account).items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        html = response.content.decode()
        assert response.status_code == 200
        assert response["Content-Language"] == "en"
        for label in ENGLISH[page]:
            assert label in html, (page, label)
        for label in CHINESE[page]:
            assert label not in html, (page, label)
