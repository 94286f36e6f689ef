"""The team hierarchy (path, subtree) and roles."""

import pytest

from guanxi.accounts.models import Role, Team, User, UserRole
from guanxi.accounts.selectors import reps_in_scope


def subtree_names(team):
    return set(Team.objects.filter(pk__in=team.subtree_ids()).values_list("name", flat=True))


def test_paths_and_subtrees(org):
    assert org.company.path == f"/{org.company.pk}/"
    assert org.team_a.path == f"/{org.company.pk}/{org.east.pk}/{org.team_a.pk}/"
    assert subtree_names(org.east) == {"华东区", "上海一组", "杭州组"}
    assert subtree_names(org.company) == {"Acme 集团", "华东区", "华南区", "上海一组", "杭州组",
                                          "深圳组"}
    assert subtree_names(org.team_b) == {"深圳组"}


def test_reparenting_moves_the_whole_branch(org):
    group = Team.objects.create(name="杭州二组", parent=org.team_a2)
    org.team_a2.parent = org.south
    org.team_a2.save()
    group.refresh_from_db()
    assert group.path == f"/{org.company.pk}/{org.south.pk}/{org.team_a2.pk}/{group.pk}/"
    assert subtree_names(Team.objects.get(pk=org.east.pk)) == {"华东区", "上海一组"}
    assert subtree_names(Team.objects.get(pk=org.south.pk)) == {"华南区", "深圳组", "杭州组",
                                                                "杭州二组"}


def test_team_cannot_be_moved_under_itself(org):
    from django.core.exceptions import ValidationError
    org.east.parent = org.team_a
    with pytest.raises(ValidationError):
        org.east.save()
    org.east.refresh_from_db()
    assert org.east.parent == org.company
    assert Team.objects.get(pk=org.team_a.pk).path.startswith(org.east.path)


def test_roles(org):
    assert org.manager.has_role(Role.MANAGER) and not org.manager.has_role(Role.FINANCE)
    superuser = User.objects.create_superuser("root", "root@example.com", "pw-Guanxi-2026")
    assert superuser.has_role(Role.ADMIN)
    org.rep.is_active = False
    rep = User.objects.get(pk=org.rep.pk)
    rep.is_active = False
    assert rep.role_codes == frozenset()
    UserRole.objects.create(user=org.teammate, role=Role.MANAGER)
    assert User.objects.get(pk=org.teammate.pk).has_role(Role.REP, Role.MANAGER)


def test_reps_in_scope(org):
    assert set(reps_in_scope(org.manager)) == {org.rep, org.teammate, org.hz_rep}
    assert set(reps_in_scope(org.other_manager)) == {org.other_rep}
    assert set(reps_in_scope(org.admin)) == {org.rep, org.teammate, org.hz_rep, org.other_rep}
