"""The address of the client behind a request: the one function everything that throttles,
audits or logs by address uses.

``X-Forwarded-For`` is honoured only when the immediate peer (``REMOTE_ADDR``) is one of
``GUANXI_TRUSTED_PROXIES``: the header is then read from the right, past every trusted proxy,
and the first address that is not one is the client. Anything left of it was written by the
client and proves nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "GUANXI_TRUSTED_PROXIES", ())))


def _address(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def is_trusted_proxy(remote_addr: str) -> bool:
    return _trusted(_address(remote_addr), trusted_networks())


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind trusted proxies, the rightmost
    address in ``X-Forwarded-For`` that is not a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks()
    current = _address(remote)
    if current is None:
        return remote
    if not networks or not _trusted(current, networks):
        return str(current)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        if not _trusted(current, networks):
            break
        address = _address(hop)
        if address is None:  # garbage from the client: the last proxy's view stands
            break
        current = address
    return str(current)


class TrustedProxyMiddleware:
    """Drops ``X-Forwarded-Proto`` unless a trusted proxy sent the request, so that
    ``SECURE_PROXY_SSL_HEADER`` cannot be spoofed by a client reaching the server directly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
