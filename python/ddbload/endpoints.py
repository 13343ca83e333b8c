"""Which endpoints are local (DynamoDB Local, ddbload's own): a loopback address, never AWS."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse


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
