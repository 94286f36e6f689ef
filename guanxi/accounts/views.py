"""The signed-in user's own pages: profile, language, API tokens."""
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


profile = language = tokens = revoke_token = _todo
