"""The sales part of the API: one router per area."""

from ninja import Router

from guanxi.sales.api import activities, forecast, leads, opportunities, tasks

router = Router()
for _area in (leads, opportunities, activities, tasks, forecast):
    router.add_router("", _area.router)
