"""Where a provider may send requests (and so its API key): the outbound URL policy.

Checked when a provider is saved (model validation) and again before every upstream call, so a
setting tightened later, or a host name that now resolves somewhere forbidden, still stops the
call. ``PROVIDER_URL_DENYLIST`` (hosts / CIDRs; link-local and cloud metadata addresses by
default) always wins; a non-empty ``PROVIDER_URL_ALLOWLIST`` (hosts, ``*.domain`` suffixes,
CIDRs) then admits only what it names.

The call-time check resolves host names (cached briefly); it narrows, but does not close, the
gap of a name that resolves differently between this check and the connection (DNS rebinding).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_RESOLVE_TTL = 60.0
_resolved: dict[str, tuple[float, tuple[IPAddress, ...]]] = {}
_resolved_lock = threading.Lock()


class EgressDenied(Exception):
    """The URL points somewhere providers may not send requests. The message names the host."""


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").strip().lower().rstrip(".")


def _as_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _split_rules(rules: Iterable[str]) -> tuple[tuple[IPNetwork, ...], tuple[str, ...]]:
    """(networks, host names) of a list setting, parsed once per distinct value: every provider
    call checks its URL, and parsing a dozen networks each time cost ~40 us of the event loop."""
    return _parsed_rules(tuple(rules))


@functools.lru_cache(maxsize=16)
def _parsed_rules(rules: tuple[str, ...]) -> tuple[tuple[IPNetwork, ...], tuple[str, ...]]:
    networks: list[IPNetwork] = []
    names: list[str] = []
    for raw in rules:
        rule = raw.strip().lower()
        if not rule:
            continue
        try:
            networks.append(ipaddress.ip_network(rule, strict=False))
        except ValueError:
            names.append(rule.rstrip("."))
    return tuple(networks), tuple(names)


def _name_matches(host: str, names: Sequence[str]) -> bool:
    for name in names:
        if name.startswith("*."):
            if host.endswith(name[1:]):
                return True
        elif host == name:
            return True
    return False


def _ip_in(ip: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


def _resolve(host: str) -> tuple[IPAddress, ...]:
    now = time.monotonic()
    cached = _resolved.get(host)
    if cached is not None and now - cached[0] < _RESOLVE_TTL:
        return cached[1]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        addresses: tuple[IPAddress, ...] = ()  # the call itself will fail to connect
    else:
        found = {_as_ip(str(info[4][0]).split("%", 1)[0]) for info in infos}
        addresses = tuple(ip for ip in found if ip is not None)
    with _resolved_lock:
        _resolved[host] = (now, addresses)
    return addresses


def check_url(url: str, *, resolve: bool = False) -> None:
    """Raise :class:`EgressDenied` when ``url`` may not receive provider requests.

    ``resolve``: also check the addresses the host name resolves to (call time).
    """
    host = _host_of(url)
    if not host:
        return  # the URL validator reports a missing host
    deny_nets, deny_names = _split_rules(settings.PROVIDER_URL_DENYLIST)
    allow_nets, allow_names = _split_rules(settings.PROVIDER_URL_ALLOWLIST)
    literal = _as_ip(host)
    addresses: tuple[IPAddress, ...] = (literal,) if literal is not None else ()
    if literal is None and resolve:
        addresses = _resolve(host)

    if _name_matches(host, deny_names) or any(_ip_in(ip, deny_nets) for ip in addresses):
        raise EgressDenied(f"Requests to {host} are not allowed (link-local or metadata address).")
    if not (allow_nets or allow_names):
        return
    if literal is not None:
        allowed = _ip_in(literal, allow_nets)
    else:
        allowed = _name_matches(host, allow_names)
    if not allowed:
        raise EgressDenied(f"{host} is not in PROVIDER_URL_ALLOWLIST.")


def forget_resolutions() -> None:
    """Drop cached DNS answers (tests; a changed setting takes effect immediately anyway)."""
    with _resolved_lock:
        _resolved.clear()
