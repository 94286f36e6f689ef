"""Customer pages: home, list, create, edit, 360° view, search, contacts, addresses."""
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


home = customer_list = customer_create = customer_detail = customer_edit = search = _todo
contact_create = contact_edit = contact_remove = address_create = address_edit = _todo
address_remove = relationship_create = relationship_remove = follow_up = tags_edit = _todo
timeline_more = share = _todo
