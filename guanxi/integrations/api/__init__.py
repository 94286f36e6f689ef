"""The data-in-and-out part of the API: one router per area."""

from ninja import Router

from guanxi.integrations.api import automation, exports, imports, preferences, webhooks

router = Router()
for _area in (imports, exports, webhooks, automation, preferences):
    router.add_router("", _area.router)
