"""Administration pages: custom fields, audit trail."""
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


custom_fields = custom_field_edit = audit_trail = _todo
