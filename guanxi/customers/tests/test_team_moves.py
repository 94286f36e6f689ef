"""Moving a team in the hierarchy moves who sees and manages its customers."""

from guanxi.accounts.models import User
from guanxi.customers import permissions, selectors


def test_reparenting_changes_what_managers_see(org, make_account):
    account = make_account(by=org.hz_rep, name="杭州客户有限公司")
    assert account in selectors.visible_accounts(org.manager)
    org.team_a2.parent = org.south
    org.team_a2.save()
    manager = User.objects.get(pk=org.manager.pk)  # role and subtree caches are per request
    other_manager = User.objects.get(pk=org.other_manager.pk)
    assert account not in selectors.visible_accounts(manager)
    assert account in selectors.visible_accounts(other_manager)
    assert permissions.can_manage_account(other_manager, account)
    assert not permissions.can_manage_account(manager, account)
