"""Keeping webhooks off the internal network (server-side request forgery).

A webhook address is checked when it is saved and again before every delivery: the host is
resolved, every address it resolves to must be public, and the request then goes to the
address that was checked (no second lookup a DNS rebinding could answer differently).
``getaddrinfo`` also turns spellings such as ``2130706433`` or ``0177.0.0.1`` into the address
they mean, so those tricks meet the same check.

Administrators can allow private targets: ``GUANXI_WEBHOOK_ALLOW_PRIVATE`` for all of them, or
``GUANXI_WEBHOOK_ALLOWED_HOSTS`` for some host names and networks (CIDR).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    addresses: tuple[str, ...]


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="url", code="url_refused")


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and not is_public(inner):
            return False
    # is_global alone lets multicast through (224.0.0.0/4 is "global" to the stdlib).
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private or ip.is_unspecified)


def _allowed(host: str, ip: IPAddress) -> bool:
    if settings.GUANXI_WEBHOOK_ALLOW_PRIVATE:
        return True
    for entry in settings.GUANXI_WEBHOOK_ALLOWED_HOSTS:
        if entry.lower() == host:
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return is_public(ip)


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise _refuse(_("The host name “%(host)s” cannot be resolved.") % {"host": host}) \
            from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str) -> Target:
    """Parse, resolve and check ``url``; refuse it with a DomainError on field ``url``."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise _refuse(_("Enter a valid web address.")) from None
    if parts.scheme not in ("http", "https"):
        raise _refuse(_("Only http and https addresses can receive webhooks."))
    host = (parts.hostname or "").lower()
    if not host:
        raise _refuse(_("Enter a valid web address."))
    if parts.username or parts.password:
        raise _refuse(_("Put no user name or password in the address; check the signature "
                        "instead."))
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not _allowed(host, ip):
            raise _refuse(_("“%(host)s” is an internal address (%(ip)s); webhooks may only go "
                            "to public addresses.") % {"host": host, "ip": ip})
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, tuple(addresses))
