"""Message marker for the engine's English msgids.

Django's own ``gettext_noop`` reads settings, and the engine must import without them. This
function has the same name, so ``makemessages`` (xgettext keyword ``gettext_noop``) still
collects every marked string; the Django side translates them when it shows them.
"""


def gettext_noop(message: str) -> str:
    return message
