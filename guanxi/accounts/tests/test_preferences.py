"""A user picks a time zone and a display currency next to the site's defaults: times are
shown in their zone, totals labelled in their currency."""

from __future__ import annotations

from django.urls import reverse


def test_a_user_sees_times_in_their_zone_and_totals_in_their_currency(client, org):
    client.force_login(org.rep)
    url = reverse("accounts:profile")
    base = {"display_name": "王芳", "phone": "", "language": "en"}
    bad = client.post(url, base | {"time_zone": "Mars/Olympus", "currency": "XXX"})
    assert bad.status_code == 400
    org.rep.refresh_from_db()
    assert org.rep.time_zone == "" and org.rep.currency == ""

    page = client.get(url)
    assert page.context["display_currency"] == "CNY"
    response = client.post(url, base | {"time_zone": "Europe/Berlin", "currency": "EUR"})
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert (org.rep.time_zone, org.rep.currency) == ("Europe/Berlin", "EUR")
    page = client.get(url)
    assert page.context["display_currency"] == "EUR"
    assert page.context["TIME_ZONE"] == "Europe/Berlin"
    # New records start in the user's currency.
    form = client.get(reverse("sales:opportunity_create")).content.decode()
    assert 'name="currency"' in form and 'value="EUR"' in form
    # Back to the site's defaults.
    client.post(url, base | {"time_zone": "", "currency": ""})
    assert client.get(url).context["TIME_ZONE"] == "Asia/Shanghai"
