"""The client's IP address as the rest of the stack sees it, behind NUM_PROXIES trusted proxies.

The same rule as DRF's throttles (`REST_FRAMEWORK["NUM_PROXIES"]`, set from settings.NUM_PROXIES): with no
trusted proxy (development, tests) `X-Forwarded-For` is ignored, since any client can send one; behind N
proxies the client is the N-th address from the right, the one the outermost trusted proxy saw. What is
recorded (downloads, inquiries, signatures) and what is throttled are then the same address."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote_addr
    addresses = [a.strip() for a in forwarded.split(",")]
    candidate = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy passed on something that is not an address: keep the peer's
        return remote_addr
