"""Bearer-token auth of the HTTP API and the loopback rule for binding without one.

The token comes from settings (``SANAD_API__TOKEN``) and is compared in constant time
(:func:`hmac.compare_digest`). No token configured means no auth, which :func:`check_bind` allows
only on a loopback address.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable

from fastapi import HTTPException, Request

from rag.errors import ConfigError

_LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


def is_loopback(host: str) -> bool:
    """True when ``host`` is a loopback address or ``localhost`` (``0.0.0.0`` and names are not).

    Args:
        host: An IP address (v4 or v6, optionally in brackets) or a host name.
    """
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve off loopback without a token.

    Raises:
        ConfigError: ``host`` is not loopback and ``token`` is empty.
    """
    if not is_loopback(host) and not (token or "").strip():
        raise ConfigError(
            f"refusing to serve the API on {host} without a token: set SANAD_API__TOKEN "
            "(a long random string) or bind 127.0.0.1"
        )


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens (UTF-8 bytes)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer_dependency(token: str | None) -> Callable[[Request], None]:
    """A FastAPI dependency enforcing ``Authorization: Bearer <token>`` (a no-op without a token).

    Raises (from the dependency):
        HTTPException: 401 when the header is missing or not a bearer token, 403 when it is wrong.
    """
    expected = (token or "").strip()

    def require(request: Request) -> None:
        if not expected:
            return
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HTTPException(
                status_code=401,
                detail="missing bearer token: send 'Authorization: Bearer <SANAD_API__TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not token_matches(given.strip(), expected):
            raise HTTPException(status_code=403, detail="invalid bearer token")

    return require
