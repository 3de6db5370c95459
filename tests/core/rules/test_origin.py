"""A panel POST is accepted only from the service's own pages (Origin, else Referer)."""

from __future__ import annotations

import pytest

from core.rules.origin import origin_allowed, origin_of

PUBLIC = "https://absences.college.fr"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Absences.College.fr/s/x?y=1", "https://absences.college.fr"),
        ("https://absences.college.fr:443", "https://absences.college.fr"),
        ("http://127.0.0.1:8080/login", "http://127.0.0.1:8080"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("null", None),
        ("/relative", None),
        ("ftp://absences.college.fr", None),
        ("http://host:99999999", None),
    ],
)
def test_an_origin_is_scheme_host_and_a_port_other_than_the_default(
    url: str, origin: str | None
) -> None:
    assert origin_of(url) == origin


def allowed(origin: str | None = None, referer: str | None = None, **kw: str | None) -> bool:
    options: dict[str, str | None] = {"public_url": PUBLIC, "own_host": "absences.college.fr"}
    return origin_allowed(origin, referer, **{**options, **kw})  # type: ignore[arg-type]


def test_the_public_address_is_the_one_accepted_when_set() -> None:
    assert allowed(PUBLIC)
    assert allowed("https://absences.college.fr:443")
    assert not allowed("http://absences.college.fr")  # another scheme is another origin
    assert not allowed("https://evil.example")
    assert not allowed("https://absences.college.fr.evil.example")
    assert not allowed("null")


def test_the_referer_speaks_only_when_the_origin_is_absent() -> None:
    assert allowed(referer=PUBLIC + "/s/0751234X/grid")
    assert not allowed(referer="https://evil.example/form")
    assert not allowed("https://evil.example", referer=PUBLIC + "/login")


def test_a_post_naming_neither_is_refused() -> None:
    assert not allowed()
    assert not allowed(public_url=None)


def test_without_a_public_address_the_requests_own_host_is_accepted() -> None:
    assert allowed("http://127.0.0.1:8080", public_url=None, own_host="127.0.0.1:8080")
    assert allowed("https://school.lan", public_url=None, own_host="school.lan:443")
    assert not allowed("http://127.0.0.1:9999", public_url=None, own_host="127.0.0.1:8080")
    assert not allowed("https://evil.example", public_url=None, own_host="school.lan")
