"""Outgoing webhook requests that cannot be aimed inward (server-side request forgery).

At registration `validate_webhook_url` refuses plain http (unless `WEBHOOKS_ALLOW_HTTP`) and any literal
IP address that is not public, in every spelling (IPv6, IPv4-mapped, NAT64/6to4, decimal, octal, hex).
At delivery `post` resolves the host once, refuses it if ANY address is not public, connects to the
checked address itself and never follows redirects. `WEBHOOKS_ALLOWED_PRIVATE_NETWORKS` (empty in
production, loopback in the tests) lets chosen private networks through."""

import http.client
import ipaddress
import re
import socket
import ssl
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

REFUSED = "refused: address not public"
EXCERPT_CHARS = 200
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# inet_aton's spellings of IPv4: 2130706433, 0177.0.0.1, 0x7f000001, 127.1. No real host name is all
# digits and dots (top-level domains are letters), so such a name is an address in disguise.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}\.?$", re.IGNORECASE)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The host resolves to an address webhooks are not sent to."""


def scheme_allowed(url: str) -> bool:
    schemes = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    return urlsplit(url).scheme.lower() in schemes


def scheme_message() -> str:
    return "Use an http(s) address." if settings.WEBHOOKS_ALLOW_HTTP else "Use an https address."


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]):
    return [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs]


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to: ::ffff:a.b.c.d, 2002:aabb:ccdd::, 64:ff9b::a.b.c.d."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(ip: Address) -> bool:
    # `is_global` alone lets multicast (224.0.0.0/4, ff00::/8) and NAT64/6to4 wrappers through.
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or getattr(ip, "is_site_local", False)
    )


def address_allowed(ip: Address) -> bool:
    if ip.version == 6 and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    inner = _embedded_ipv4(ip)
    candidates = [ip] if inner is None else [ip, inner]
    networks = _networks(tuple(settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS))
    if any(c.version == n.version and c in n for c in candidates for n in networks):
        return True
    return all(_is_public(c) for c in candidates)


def literal_address(host: str) -> Address | None:
    """The IP address a URL's host spells, or None for a host name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def validate_webhook_url(url: str) -> None:
    """Registration check of the admin form and the studio API (the URL validator checks the rest)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. an unclosed "[": the URL validator says so
        return
    if not scheme_allowed(url):
        raise ValidationError(scheme_message(), code="scheme")
    ip = literal_address(host) if host else None
    if ip is not None and not address_allowed(ip):
        shown = host if str(ip) == host.strip("[]") else f"{host} ({ip})"
        raise ValidationError(
            f"Webhooks are only sent to a public address; {shown} is private, loopback, link-local or reserved.",
            code="private_address",
        )


def endpoint_problem(url: str) -> str | None:
    """Why an endpoint registered before today's rules can no longer receive events, from the registration
    checks only (scheme and literal address, no DNS): cheap enough for every row of a listing. None: nothing
    known against it (a name may still resolve to a private address at delivery)."""
    try:
        validate_webhook_url(url)
    except ValidationError as exc:
        if exc.code == "scheme":
            return "it is a plain http address; events go to https addresses only. Change it to https."
        return exc.messages[0]
    return None


def _resolve_checked(host: str, port: int):
    """One DNS lookup; every answer must be allowed (a name with one private answer is refused whole).
    The first answer, as (family, sockaddr), is the one connected to."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not answers or not all(address_allowed(ipaddress.ip_address(info[4][0])) for info in answers):
        raise AddressRefused
    family, _type, _proto, _name, sockaddr = answers[0]
    return family, sockaddr


def _connect(checked, timeout) -> socket.socket:
    family, sockaddr = checked
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


# DNS rebinding: a name may answer a public address to the check and a private one to a second lookup.
# So there is no second lookup: these connections open the socket to the address already checked (not
# even socket.create_connection, which would look the name up again), while the Host header and TLS
# (SNI and the certificate check) still use the name from the URL.
class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, checked, timeout):
        super().__init__(host, port, timeout=timeout)
        self.checked = checked

    def connect(self):
        self.sock = _connect(self.checked, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, checked, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.checked = checked

    def connect(self):
        self.sock = self.tls.wrap_socket(_connect(self.checked, self.timeout), server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, str]:
    """POST once; the status and a short excerpt of the reply. http.client follows no redirect: a 3xx is
    just the answer. Raises AddressRefused, OSError, http.client.HTTPException or ValueError."""
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    checked = _resolve_checked(parts.hostname or "", port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, checked=checked, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        # At most 4 bytes a character: enough for EXCERPT_CHARS, never the whole of a large reply.
        excerpt = response.read(4 * EXCERPT_CHARS).decode(errors="replace")[:EXCERPT_CHARS]
        return response.status, excerpt
    finally:
        connection.close()
