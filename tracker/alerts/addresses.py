"""Refuse webhook and chat targets inside private networks.

A subscription is typed in by someone we do not fully trust, and the alert
worker will connect wherever it points. Left unchecked, a target such as
http://169.254.169.254/ or http://localhost:5432/ turns the worker into a
probe of the machines around it. Targets are checked when saved and again
when each alert is sent, because a name can point elsewhere tomorrow; for
webhooks the check happens as the connection is opened, to the very address
that was checked, so the name cannot change in between.
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings


class PrivateTarget(ValueError):
    pass


def is_public_ip(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str) -> list[str]:
    """Every address ``host`` names; an empty list when it names none."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return []
    return sorted({info[4][0] for info in infos})


def allows_private_targets() -> bool:
    return getattr(settings, "ALERTS_ALLOW_PRIVATE_TARGETS", False)


def check_host(host: str | None) -> None:
    """Raise ``PrivateTarget`` if ``host`` is, or resolves to, a non-public address.

    A name that resolves to nothing is let through: nothing can be reached
    through it, and for some chat services the "host" part of the address is
    really an account token.
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
            f"({address}); alerts are only sent to public addresses."
        )


def connect_to_public_address(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source=None):
    """``socket.create_connection`` that only ever connects to a public address."""
    if allows_private_targets():
        return socket.create_connection(address, timeout, source)
    host, port = address
    addresses = resolve(host)
    if not addresses:
        raise OSError(f"“{host}” does not resolve to any address.")
    for checked in addresses:
        refuse_unless_public(host, checked)
    return socket.create_connection((addresses[0], port), timeout, source)
