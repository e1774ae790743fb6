"""Webhook signatures: ``X-Portal-Signature: sha256=<hex>``, an HMAC-SHA256 with the endpoint's
secret over ``<X-Portal-Timestamp>.<body>``. Receivers recompute it, compare in constant time,
and refuse timestamps older than a few minutes (a replayed call carries an old one)."""

import hashlib
import hmac
import secrets

SECRET_START = "whsec_"


def new_secret() -> str:
    return SECRET_START + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)
