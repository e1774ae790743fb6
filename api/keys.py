"""The shape of an API key: ``sp_<prefix>_<secret>``. The prefix finds the row; only a SHA-256
of the whole key is stored. A key carries 256 random bits, so a fast hash is enough: nobody can
try keys against the hash faster than against the key space itself."""

import hashlib
import hmac
import secrets
import string

KEY_START = "sp_"
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = 8


def new_key() -> tuple[str, str]:
    """A fresh ``(prefix, key)``; the prefix is the key's first ``len(prefix)`` characters."""
    prefix = KEY_START + "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: str) -> str | None:
    """The prefix of something shaped like a key, else None."""
    head, sep, _ = key.partition("_")
    if head + "_" != KEY_START:
        return None
    prefix, sep, secret = key[len(KEY_START) :].partition("_")
    if not sep or not secret or len(prefix) != PREFIX_LENGTH:
        return None
    if any(ch not in PREFIX_ALPHABET for ch in prefix):
        return None
    return KEY_START + prefix


def matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_hash)
