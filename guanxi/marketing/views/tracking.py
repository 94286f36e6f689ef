"""Public tracking endpoints in campaign e-mails: the open pixel and the click redirect.

The redirect only ever goes to a link that was in the campaign's own message (looked up by
the id in the signed token), so it is never an open redirect: a forged or altered token
answers 404, not a jump to somebody's site. A token for member 0 is a link shared in a WeChat
group: its clicks are counted on the link, as nobody in particular clicked."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from guanxi.marketing.models import CampaignLink, CampaignMember
from guanxi.marketing.services import links, messages
from guanxi.marketing.services.responses import record_response

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    found = messages.read_track_token(token)
    if found is not None:
        record_response(found[0], "opened", once=True)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    found = messages.read_track_token(token)
    if found is None:
        raise Http404
    member_id, link_id = found
    if member_id == links.SHARED:
        link = CampaignLink.objects.filter(pk=link_id).first()
        if link is None:
            raise Http404
        links.count_shared_click(link)
        return HttpResponseRedirect(link.url)
    member = CampaignMember.objects.filter(pk=member_id).only("campaign_id").first()
    link = CampaignLink.objects.filter(pk=link_id).first()
    if member is None or link is None or link.campaign_id != member.campaign_id:
        raise Http404
    record_response(member, "clicked", data={"url": link.url})
    return HttpResponseRedirect(link.url)
