"""Background work of the accounts app."""

from __future__ import annotations

from guanxi.core.tasks import background


@background()
def send_invitation(user_id: int, actor_id: int, link: str) -> None:
    """The invitation e-mail, in the invited user's language."""
    from guanxi.accounts.models import User
    from guanxi.accounts.services.people import send_invitation_mail

    users = User.objects.in_bulk([user_id, actor_id])
    if user_id in users and actor_id in users:
        send_invitation_mail(users[user_id], users[actor_id], link)
