"""Where a form was posted from: the panel's second line behind its CSRF token.

A browser names the page a request comes from in ``Origin`` (every POST in current browsers)
or, failing that, in ``Referer``. A POST to the panel is accepted only when that origin is the
service's own: ``ABSENCES_PUBLIC_URL`` when it is set, else the host the request was sent to.
A POST naming neither header is refused: browsers always send one of them for a form.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lower case, without the scheme's default port;
    None when ``url`` names no http(s) origin (``null``, a relative path, garbage)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def claimed_origin(origin: str | None, referer: str | None) -> str | None:
    """The origin the browser names: ``Origin`` when sent, else the ``Referer``'s."""
    if origin is not None:
        return origin_of(origin)
    if referer is not None:
        return origin_of(referer)
    return None


def host_of(origin: str) -> str:
    """``host[:port]`` of an origin made by :func:`origin_of`."""
    return origin.split("://", 1)[1]


def origin_allowed(
    origin: str | None, referer: str | None, *, public_url: str | None, own_host: str
) -> bool:
    """Whether a POST naming ``origin`` / ``referer`` comes from the service's own pages.

    ``public_url`` is the configured public address (None when unset); ``own_host`` the
    ``Host`` the request was sent to, used only when no public address is configured.
    """
    claimed = claimed_origin(origin, referer)
    if claimed is None:
        return False
    if public_url is not None:
        return claimed == origin_of(public_url)
    request_origin = origin_of(f"{claimed.split('://', 1)[0]}://{own_host}")
    return request_origin is not None and host_of(claimed) == host_of(request_origin)
