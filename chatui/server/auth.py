"""Password hashing and bearer tokens.

Passwords are hashed with scrypt and a random per-user salt; the parameters are
stored next to the hash (``scrypt$n$r$p$salt$hash``), so they can be raised later
without invalidating existing accounts. Tokens are random (``secrets``) and only
their SHA-256 is stored: a leaked database does not hand out live sessions. A fast
hash is right for tokens (unlike passwords) because they carry 256 bits of entropy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# N=2**14, r=8, p=1: the interactive-login parameters from the scrypt paper (about
# 50 ms and 16 MiB per hash here), so that logins stay snappy and tests fast.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_KEY_LEN = 32
_MAXMEM = 64 * 1024 * 1024

# Compared against when the username does not exist, so that a login for an
# unknown name costs the same time as one with a wrong password.
_DUMMY_HASH = "scrypt${}${}${}${}${}".format(
    SCRYPT_N, SCRYPT_R, SCRYPT_P, "00" * 16, "00" * _KEY_LEN
)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_KEY_LEN
    )


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    """``n`` is scrypt's work factor; only tests lower it (as Django's test hasher does)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; ``None`` burns the same time, then False."""
    encoded = stored if stored is not None else _DUMMY_HASH
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return stored is not None and hmac.compare_digest(actual, bytes.fromhex(digest))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
