"""The service part of the API under /api/service/: one router per area."""

from ninja import Router

from guanxi.service.api import cases, installed_base

router = Router()
router.add_router("", cases.router)
router.add_router("", installed_base.router)
