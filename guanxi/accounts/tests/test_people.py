"""Administrators manage people and the team tree in the app: invite, roles and team,
deactivate with a handover, reset two-factor; nobody else may."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from guanxi.accounts.models import Team, User

PERSONAS = ["rep", "teammate", "manager", "other_manager", "assistant", "finance",
            "executive", "marketing", "admin"]


def test_only_administrators_reach_the_people_pages(client, org):
    team = org.rep.team
    pages = [reverse("accounts:users"), reverse("accounts:invite"),
             reverse("accounts:user", args=[org.rep.pk]), reverse("accounts:teams"),
             reverse("accounts:team", args=[team.pk])]
    writes = [(reverse("accounts:deactivate", args=[org.rep.pk]), {}),
              (reverse("accounts:reset_two_factor", args=[org.rep.pk]), {}),
              (reverse("accounts:user", args=[org.rep.pk]), {"roles": ["admin"]}),
              (reverse("accounts:teams"), {"name": "X", "kind": "team"})]
    wrong = []
    for persona in PERSONAS:
        client.force_login(getattr(org, persona))
        for url in pages:
            status = client.get(url).status_code
            if status != (200 if persona == "admin" else 403):
                wrong.append((persona, url, status))
        if persona != "admin":
            for url, body in writes:
                status = client.post(url, body).status_code
                if status != 403:
                    wrong.append((persona, "POST " + url, status))
    assert not wrong
    client.logout()
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    org.rep.refresh_from_db()
    assert org.rep.is_active and not org.rep.has_role("admin")
    assert not Team.objects.filter(name="X").exists()


def test_an_administrator_invites_sets_roles_and_hands_over_a_leaver(
        client, org, make_account, django_capture_on_commit_callbacks, tasks_inline):
    client.force_login(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:invite"), {
            "email": "Xiao.Li@example.com", "username": "xiaoli", "display_name": "小李",
            "team": org.rep.team_id, "roles": ["rep"], "language": "zh-hans"})
    new = User.objects.get(username="xiaoli")
    assert response.status_code == 302 and new.role_codes == {"rep"}
    assert new.team_id == org.rep.team_id and not new.has_usable_password()
    # The invitation comes in the invitee's language, with a link to set a password.
    (invitation,) = mail.outbox
    assert invitation.to == ["xiao.li@example.com"] and "小李" in invitation.body
    link = re.search(r"https?://\S+", invitation.body).group(0)
    client.logout()
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert page.status_code == 200 and 'name="password1"' in page.content.decode()
    # The same address cannot be invited twice.
    client.force_login(org.admin)
    again = client.post(reverse("accounts:invite"), {
        "email": "xiao.li@example.com", "username": "xiaoli2", "language": "en"})
    assert again.status_code == 400 and "already uses" in again.content.decode()

    # Roles and team: a manager cannot, the administrator can; not their own admin role.
    url = reverse("accounts:user", args=[org.rep.pk])
    response = client.post(url, {"team": org.manager.team_id, "roles": ["rep", "finance"]})
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert org.rep.team_id == org.manager.team_id
    assert set(org.rep.user_roles.values_list("role", flat=True)) == {"rep", "finance"}
    mine = client.post(reverse("accounts:user", args=[org.admin.pk]), {"roles": ["rep"]})
    assert mine.status_code == 400 and org.admin.user_roles.filter(role="admin").exists()

    # Deactivating a rep hands their customers to a colleague; never oneself.
    kept = [make_account(by=org.rep) for _ in range(2)]
    client.post(reverse("accounts:deactivate", args=[org.rep.pk]),
                {"transfer_to": org.teammate.pk})
    org.rep.refresh_from_db()
    assert not org.rep.is_active
    assert {a.pk for a in kept} <= set(
        org.teammate.owned_accounts.values_list("pk", flat=True))
    client.post(reverse("accounts:deactivate", args=[org.admin.pk]))
    org.admin.refresh_from_db()
    assert org.admin.is_active
    page = client.get(reverse("accounts:user", args=[org.rep.pk])).content.decode()
    assert "Reactivate" in page


def test_two_factor_reset_and_the_team_tree(client, org):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=org.rep, type=Authenticator.Type.TOTP, data={})
    client.force_login(org.admin)
    client.post(reverse("accounts:reset_two_factor", args=[org.rep.pk]))
    assert not Authenticator.objects.filter(user=org.rep).exists()

    company = Team.objects.get(parent=None, name="Acme 集团")
    client.post(reverse("accounts:teams"), {"name": "西北区", "kind": "region",
                                            "parent": company.pk})
    northwest = Team.objects.get(name="西北区")
    assert northwest.path.startswith(company.path)
    east = org.manager.team
    # Moving a region moves what is below it; never under itself.
    response = client.post(reverse("accounts:team", args=[east.pk]),
                           {"name": east.name, "kind": east.kind, "parent": northwest.pk})
    assert response.status_code == 302
    below = Team.objects.filter(path__startswith=Team.objects.get(pk=east.pk).path)
    assert all(t.path.startswith(northwest.path) for t in below)
    response = client.post(reverse("accounts:team", args=[northwest.pk]),
                           {"name": "西北区", "kind": "region", "parent": east.pk})
    assert response.status_code == 400
    # Only an empty team goes away.
    client.post(reverse("accounts:team", args=[northwest.pk]), {"action": "delete"})
    assert Team.objects.filter(pk=northwest.pk).exists()
    empty = Team.objects.create(name="空团队", parent=company)
    client.post(reverse("accounts:team", args=[empty.pk]), {"action": "delete"})
    assert not Team.objects.filter(pk=empty.pk).exists()
    tree = client.get(reverse("accounts:teams")).content.decode()
    assert "西北区" in tree and "空团队" not in tree


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sidebar_leads_administrators_to_the_people_pages(client, org, language):
    client.force_login(org.admin)
    page = client.get(reverse("customers:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'href="{reverse("accounts:users")}"' in page and "/admin/" not in page
