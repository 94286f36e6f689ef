"""The project's URLs plus views that fail, for the error-answer tests."""

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from guanxi.urls import handler400, handler403, handler404, handler500, urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: "
                           "Connection refused")


def connection_closed(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


urlpatterns = [
    path("api/test/boom", boom),
    path("api/test/database-gone", database_gone),
    path("test/boom", boom),
    path("test/database-gone", database_gone),
    path("test/connection-closed", connection_closed),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
