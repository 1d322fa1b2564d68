"""One address rule for every outbound target: public addresses only, checked as connected.

A subscription is typed in by someone we do not fully trust, and the alert
worker will connect wherever it points. Left unchecked, a target such as
http://169.254.169.254/ or http://localhost:5432/ turns the worker into a
probe of the machines around it. So, for webhooks and chat alike:

- the target's name is resolved once, every address it resolves to is
  checked, and the connection goes to a checked address, so the name cannot
  point elsewhere in between (DNS rebinding);
- an address is public only if it is globally routable and not loopback,
  private, link-local, unique-local, multicast, reserved or for
  documentation; an IPv4 address carried inside an IPv6 one (mapped,
  IPv4-compatible, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, Teredo) is
  judged as the IPv4 address it carries;
- no redirect is followed, since it could lead anywhere after the check.

Targets are checked when saved and again when each alert is sent.
``ALERTS_ALLOW_PRIVATE_TARGETS`` lifts the address check (a local receiver in
tests or on a laptop), never the pinning or the redirect rule.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings

from tracker.alerts import deadlines

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

NOT_PUBLIC_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
]
NOT_PUBLIC_V6 = [
    ipaddress.ip_network(n)
    for n in (
        "64:ff9b:1::/48",  # NAT64 for local use
        "100::/64",  # discard
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fec0::/10",  # site local, deprecated
    )
]
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


# The chat services whose Apprise plugins connect through requests and urllib3,
# so ``checked_connections`` holds them to the rule above. For the first kind
# the address names the server to connect to; for the second it holds only an
# account or a token, and the plugin talks to the service's own public API.
CHAT_SCHEMES_NAMING_A_SERVER = frozenset(
    {"json", "jsons", "matrix", "matrixs", "mmost", "mmosts", "rocket", "rockets"}
    | {"ntfy", "ntfys", "gotify", "gotifys"}
)
CHAT_SCHEMES_OF_HOSTED_SERVICES = frozenset({"tgram", "slack", "discord", "pover"})
CHAT_SCHEMES = CHAT_SCHEMES_NAMING_A_SERVER | CHAT_SCHEMES_OF_HOSTED_SERVICES


class PrivateTarget(ValueError):
    pass


class UncheckedScheme(ValueError):
    """A chat address whose connections could not be held to the address rule."""


def check_chat_scheme(target: str) -> str:
    """The chat address's scheme, or ``UncheckedScheme`` if its connections cannot be checked."""
    scheme = target.split("://", 1)[0].lower() if "://" in target else ""
    if scheme not in CHAT_SCHEMES:
        raise UncheckedScheme(
            f"Chat alerts cannot be sent through “{scheme or target}”: the tracker cannot "
            "check where that kind of address connects. Use a webhook, or one of: "
            + ", ".join(sorted(CHAT_SCHEMES))
            + "."
        )
    return scheme


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which is where its packets end up."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip in NAT64 or ip in IPV4_TRANSLATED:
        return [low32]
    if ip in IPV4_COMPATIBLE and int(ip) > 1:  # not :: or ::1, which are judged as IPv6
        return [low32]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)
    return []


def is_public(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        carried = embedded_ipv4(ip)
        if carried:
            return all(is_public(v4) for v4 in carried)
        networks = NOT_PUBLIC_V6
    else:
        networks = NOT_PUBLIC_V4
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_link_local:
        return False
    return not any(ip in network for network in networks)


def is_public_ip(address: str) -> bool:
    """Whether ``address`` (an IP address as text, maybe with a %zone) is a public one."""
    return is_public(ipaddress.ip_address(address.split("%", 1)[0]))


def resolve(host: str) -> list[str]:
    """Every address ``host`` names; an empty list when it names none."""
    try:
        infos = deadlines.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return []
    return sorted({info[4][0] for info in infos})


def allows_private_targets() -> bool:
    return getattr(settings, "ALERTS_ALLOW_PRIVATE_TARGETS", False)


def check_host(host: str | None) -> None:
    """Raise ``PrivateTarget`` if ``host`` is, or resolves to, a non-public address.

    A name that resolves to nothing is let through here: nothing can be
    reached through it, and for some chat services the "host" part of the
    address is really an account token. Connecting to it fails later.
    """
    if allows_private_targets() or not host:
        return
    host = host.strip("[]")
    for address in resolve(host):
        refuse_unless_public(host, address)


def refuse_unless_public(host: str, address: str) -> None:
    if not is_public_ip(address):
        raise PrivateTarget(
            f"“{host}” points into a private, loopback or link-local network "
            f"({address}); only public addresses are reached."
        )


def checked_address(host: str, allow_private: bool | None = None) -> str:
    """Resolve ``host`` once, check every address, and return the one to connect to.

    ``allow_private`` overrides ``ALERTS_ALLOW_PRIVATE_TARGETS`` for another kind of
    outbound fetch that keeps its own setting (the capture of cited sources).
    """
    host = host.strip("[]")
    addresses = resolve(host)
    if not addresses:
        raise OSError(f"“{host}” does not resolve to any address.")
    if not (allows_private_targets() if allow_private is None else allow_private):
        for address in addresses:
            refuse_unless_public(host, address)
    return addresses[0]


def connect_to_public_address(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source=None):
    """``socket.create_connection`` that only ever connects to a checked address.

    Under a send's deadline (``tracker.alerts.deadlines``) like every connection an alert makes.
    """
    host, port = address
    return deadlines.create_connection((checked_address(host), port), timeout, source)


# Chat alerts go through Apprise, whose plugins connect with requests and
# urllib3 and follow redirects. Neither lets a caller choose the address
# connected to, so while a chat alert is sent (and only in the context that
# sends it, which Apprise copies into any thread it hands the work to)
# urllib3's connection function takes the checked address, and requests
# follows no redirect. Every other connection is left to the originals.

_refusals: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "chat_refusals", default=None
)


def _install_guards() -> None:
    import requests.sessions
    import urllib3.util.connection

    create_connection = urllib3.util.connection.create_connection
    get_redirect_target = requests.sessions.Session.get_redirect_target
    if getattr(create_connection, "checks_addresses", False):
        return

    def create_checked_connection(address, *args, **kwargs):
        refusals = _refusals.get()
        if refusals is not None:
            host, port = address
            try:
                address = (checked_address(host), port)
            except (PrivateTarget, OSError) as exc:
                refusals.append(str(exc))
                raise
        return deadlines.watch(create_connection(address, *args, **kwargs))

    def no_redirect_while_sending_chat(session, response):
        if _refusals.get() is not None:
            return None
        return get_redirect_target(session, response)

    create_checked_connection.checks_addresses = True
    urllib3.util.connection.create_connection = create_checked_connection
    requests.sessions.Session.get_redirect_target = no_redirect_while_sending_chat


@contextmanager
def checked_connections():
    """Within this block urllib3 connects to checked addresses only and follows no redirect.

    Yields the list of refusals made meanwhile, so the caller can say why a
    send failed.
    """
    _install_guards()
    refusals: list[str] = []
    token = _refusals.set(refusals)
    try:
        yield refusals
    finally:
        _refusals.reset(token)


HIDDEN = "•••"


def shortened(channel: str, target: str) -> str:
    """Enough of a subscriber's address to tell it from another, and no more (for staff pages)."""
    if channel == "email":
        name, at, domain = target.partition("@")
        return f"{name[:1]}{HIDDEN}@{domain}" if at else HIDDEN
    parts = urlsplit(target)
    if channel == "webhook" and parts.hostname:
        return f"{parts.scheme}://{parts.hostname}/…"
    return f"{parts.scheme}://…" if parts.scheme else HIDDEN
