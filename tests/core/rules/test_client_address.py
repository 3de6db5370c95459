"""The client's address: X-Forwarded-For believed only from trusted proxies, read from the right."""

from __future__ import annotations

import pytest

from core.rules.client_address import client_address, parse_address, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.1")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_choose_its_address() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], PROXIES) == "203.0.113.9"


def test_behind_one_trusted_proxy_the_last_hop_is_the_client() -> None:
    assert client_address("10.0.0.2", ["198.51.100.1"], PROXIES) == "198.51.100.1"


def test_what_the_client_wrote_before_the_proxy_is_not_believed() -> None:
    """A client sends ``X-Forwarded-For: 1.1.1.1``; the proxy appends the real address."""
    assert client_address("10.0.0.2", ["1.1.1.1, 198.51.100.1"], PROXIES) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    chain = ["6.6.6.6, 198.51.100.7, 10.1.2.3", "192.0.2.1"]  # two headers, in order
    assert client_address("10.0.0.2", chain, PROXIES) == "198.51.100.7"


def test_when_every_hop_is_trusted_the_leftmost_is_the_client() -> None:
    assert client_address("10.0.0.2", ["10.9.9.9, 10.0.0.3"], PROXIES) == "10.9.9.9"
    assert client_address("10.0.0.2", [], PROXIES) == "10.0.0.2"


def test_an_unreadable_hop_stops_the_walk_at_the_proxy_that_wrote_it() -> None:
    assert client_address("10.0.0.2", ["198.51.100.1, unknown"], PROXIES) == "10.0.0.2"


def test_addresses_with_ports_brackets_and_mapped_ipv4_are_read() -> None:
    assert str(parse_address("198.51.100.1:4431")) == "198.51.100.1"
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("::ffff:10.0.0.2")) == "10.0.0.2"
    assert parse_address("not an address") is None
    assert client_address("::ffff:10.0.0.2", ["2001:db8::5"], PROXIES) == "2001:db8::5"


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=r"'proxy\.local'"):
        parse_networks("10.0.0.0/8, proxy.local")
    assert parse_networks(" , ") == ()
