"""Pickers of customers, contacts and colleagues (``/api/pick/{kind}``): found by name, pinyin,
initials or phone, and only what the user may see."""

from __future__ import annotations

from guanxi.core.tests.api_client import as_


def _labels(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["label"] for row in response.json()]


def test_pickers_find_by_name_pinyin_initials_or_phone_within_scope(org, make_account):
    make_account(by=org.rep, name="华为技术有限公司", phone="0755-28780808",
                 contacts=[{"name": "张伟", "mobile": "13912345678"}])
    make_account(by=org.other_rep, name="华润万家有限公司",
                 contacts=[{"name": "张丽", "mobile": "13987654321"}])
    rep, other = as_(org.rep), as_(org.other_rep)

    for q in ("华为", "huawei", "hw", "hwjs", "075528780808"):
        assert _labels(rep.get("pick/customer", q=q)) == ["华为技术有限公司"], q
    # The other rep's customer is not offered, whatever matches it.
    assert _labels(rep.get("pick/customer", q="hua")) == ["华为技术有限公司"]
    assert _labels(other.get("pick/customer", q="hua")) == ["华润万家有限公司"]
    assert _labels(other.get("pick/customer", q="hw")) == []
    assert set(_labels(as_(org.admin).get("pick/customer", q="hua"))) == {
        "华为技术有限公司", "华润万家有限公司"}

    assert _labels(rep.get("pick/contact", q="zhang")) == ["张伟"]
    assert _labels(rep.get("pick/contact", q="139")) == ["张伟"]
    assert _labels(other.get("pick/contact", q="zw")) == []

    # Colleagues by name, pinyin, initials or login.
    for q in ("王芳", "wangfang", "wf", "rep"):
        assert "王芳" in _labels(rep.get("pick/user", q=q)), q
    assert _labels(rep.get("pick/user", q="nobody-like-this")) == []

    assert _labels(rep.get("pick/customer", q="")) == []
    unknown = rep.get("pick/planet", q="hw")
    assert unknown.status_code == 400 and unknown.json()["field"] == "kind"
    assert as_(None).get("pick/customer", q="hw").status_code == 401
