"""Endpoint URLs: which are local (DynamoDB Local, ddbload's own: a loopback address, never AWS), how
one is shown (never with a password), and when two name the same endpoint."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse, urlunparse


def is_loopback(url: str | None) -> bool:
    """True for http://localhost:... or a loopback IP; False for AWS (no URL) and any other host."""
    host = urlparse(url).hostname if url else None
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redacted(url: str | None) -> str | None:
    """The URL without user and password (`http://user:secret@host` -> `http://host`): what ddbload
    prints and saves."""
    if not url:
        return url
    parts = urlparse(url)
    if "@" not in parts.netloc:
        return url
    return urlunparse(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def same_endpoint(a: str | None, b: str | None) -> bool:
    """Whether two endpoint URLs reach the same endpoint: case, a trailing slash, a default port,
    credentials and `localhost` versus 127.0.0.1 do not matter."""
    return _endpoint_key(a) == _endpoint_key(b)


def _endpoint_key(url: str | None) -> tuple[str, str, int | None, str] | None:
    if not url:
        return None
    parts = urlparse(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host == "localhost" or (is_loopback(url) and ":" not in host):
        host = "127.0.0.1"
    elif is_loopback(url):
        host = "::1"
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or {"http": 80, "https": 443}.get(scheme)
    return scheme, host, port, parts.path.rstrip("/")
