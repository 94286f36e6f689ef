"""The quote-to-cash part of the API: one router per area."""

from ninja import Router

from guanxi.orders.api import catalog, deals, expenses, fulfilment, quotes, receivables, reviews

router = Router()
for _area in (catalog, quotes, deals, reviews, fulfilment, receivables, expenses):
    router.add_router("", _area.router)
