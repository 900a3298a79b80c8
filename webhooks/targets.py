"""Where a webhook may be sent: the SSRF guard.

A partner chooses the URL, so without a check the deployment would POST wherever it is told,
including to its own database, Redis, the cloud metadata service (169.254.169.254) or an admin
page on the private network. A target is refused unless every address its host resolves to is a
public one; the check runs when the subscription is saved and again before each request, on the
addresses actually connected to (`resolve_target` returns them and the sender connects to that
address itself, so a DNS answer that changes between the check and the request — DNS rebinding —
gains nothing). Redirects are never followed. `WEBHOOKS_ALLOW_PRIVATE_TARGETS` lifts the rule for
development and the tests' loopback receiver.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL cannot be a webhook target; the message says why, for the partner."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str  # the vetted IP address to connect to


def is_public(address: IpAddress) -> bool:
    """Globally routable: not private, loopback, link-local, multicast, reserved or unspecified
    (IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(_("Enter a valid URL.")) from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise TargetRefused(_("Use an http:// or https:// URL."))
    if not parts.hostname:
        raise TargetRefused(_("Enter a valid URL."))
    if parts.username or parts.password:
        raise TargetRefused(_("Do not put a user name or password in the URL."))
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def resolve_target(url: str) -> Target:
    """The URL's parts and the address to connect to, or TargetRefused."""
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(
            _("The host “%(host)s” could not be found.") % {"host": host}
        ) from error
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise TargetRefused(_("The host “%(host)s” could not be found.") % {"host": host})
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise TargetRefused(
                _(
                    "The host “%(host)s” resolves to a private, loopback or link-local address "
                    "(%(address)s); webhooks are sent to public addresses only."
                )
                % {"host": host, "address": private[0]}
            )
    return Target(scheme, host, port, path, str(addresses[0]))
