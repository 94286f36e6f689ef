"""API endpoints of this area, mounted under /api/."""

from ninja import Router

router = Router()
