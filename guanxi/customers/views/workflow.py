"""Approvals, terms change requests, the public pool and merging."""
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


approvals = decide_customer = terms_request = decide_terms = withdraw_terms = _todo
pool = claim = release = merge = assign = pool_policy = _todo
