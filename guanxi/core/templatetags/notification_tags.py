from django import template

from guanxi.core.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """The bell's count: one indexed COUNT per page."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user)
