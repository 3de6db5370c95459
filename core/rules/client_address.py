"""The client's address behind reverse proxies, as a pure rule.

``X-Forwarded-For`` is believed only when the peer (the address the connection comes from) is
one of the trusted proxies; the chain is then walked from the right, each trusted proxy
skipped, and the first address that is not a trusted proxy is the client. Anything else a
client writes in the header is ignored: with no trusted proxy, the client is the peer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDRs (``10.0.0.0/8, ::1``); ValueError names a bad one."""
    networks = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network (CIDR)") from None
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """An address as peers and proxies write it (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``)."""
    item = text.strip()
    if item.startswith("["):
        item = item[1 : item.find("]")] if "]" in item else ""
    elif item.count(":") == 1:
        item = item.partition(":")[0]
    try:
        found = ip_address(item)
    except ValueError:
        return None
    mapped = found.ipv4_mapped if isinstance(found, IPv6Address) else None
    return mapped or found


def _trusted(address: Address, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address, given the peer's, the ``X-Forwarded-For`` headers (in order, each
    possibly a comma-separated list) and the trusted proxies."""
    current = parse_address(peer)
    if current is None:
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    while _trusted(current, trusted) and hops:
        previous = parse_address(hops.pop())
        if previous is None:  # a proxy we trust wrote something unreadable: stop at it
            break
        current = previous
    return str(current)


def direct_client_in(
    client: str, peer: str, forwarded: bool, trusted: Sequence[Network], allowed: Sequence[Network]
) -> bool:
    """Whether ``client`` (the address after the trusted proxies) is in ``allowed`` and the
    request came through no proxy we do not trust: a request that names a forwarder
    (``forwarded``) while its peer is not a trusted proxy came through an unknown proxy, whose
    own address (often 127.0.0.1) says nothing of the client."""
    peer_address = parse_address(peer)
    if forwarded and (peer_address is None or not _trusted(peer_address, trusted)):
        return False
    address = parse_address(client)
    return address is not None and _trusted(address, allowed)
