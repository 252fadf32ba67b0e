"""The client's own address, also behind a reverse proxy.

Without ZHURNAL_TRUSTED_PROXIES the address is the connection's (REMOTE_ADDR) and any
X-Forwarded-For header is ignored, since a client can write one itself. With it, a request
that arrives from a trusted proxy takes the right-most address of X-Forwarded-For that is
not itself a trusted proxy: the one the outermost trusted proxy saw connect. Login lockout
per address (django-axes) and the audit trail both use it, so that everyone behind the
proxy is not one address that a single person can lock out.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51000
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the person making the request, as far as trusted proxies vouch for."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    trusted = _networks(tuple(getattr(settings, "ZHURNAL_TRUSTED_PROXIES", ())))
    if not trusted:
        return remote

    def is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in trusted)

    peer = _parse(remote)
    if peer is None or not is_trusted(peer):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    hops = [_parse(part) for part in forwarded.split(",") if part.strip()]
    for hop in reversed(hops):
        if hop is None:
            break  # a garbled entry: nothing left of it can be trusted
        if not is_trusted(hop):
            return str(hop)
    # Only proxies named (or nothing usable): the nearest trustworthy address is the peer's.
    return remote
