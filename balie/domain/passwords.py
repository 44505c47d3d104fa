"""Password hashes for the browser login (``balie serve``): scrypt from the standard library.

A stored hash describes itself: ``scrypt$n$r$p$salt$hash`` (salt and hash in base64),
so the cost can be raised later without breaking the hashes already stored; a login
with an older, cheaper hash stores a new one (see :func:`needs_rehash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

SCHEME = "scrypt"
N, R, P = 2**15, 8, 1
"""Twice the brief's minimum of 2**14: 32 MiB and about 0.2 s per login on the server.
OWASP's 2**17 costs 128 MiB and close to a second each on the 2-core machine that also
runs every desk's session, for a login that locks after five tries anyway."""
SALT_BYTES = 16
HASH_BYTES = 32
MAX_MEMORY = 256 * 1024 * 1024
"""hashlib refuses more than 32 MiB by default; 128 * r * n is what a hash needs, and
the limit must cover stronger stored parameters than today's too."""

MIN_LENGTH = 12


def _normalized(password: str) -> bytes:
    # The same password typed on another keyboard or system can arrive as other code
    # points (é as one or as e + accent): NFKC makes them one (as NIST SP 800-63B asks).
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The self-describing hash of ``password`` with a new random salt."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(_normalized(password), salt=salt, n=N, r=R, p=P,
                            maxmem=MAX_MEMORY, dklen=HASH_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return None
        return (int(n), int(r), int(p), base64.b64decode(salt, validate=True),
                base64.b64decode(digest, validate=True))
    except ValueError:  # wrong number of parts, not a number, not base64
        return None


def verify_password(password: str, stored: str) -> bool:
    """Does ``password`` match the stored hash? False for a hash that cannot be read.

    The comparison takes the same time wherever the first difference is.
    """
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, digest = parsed
    try:
        candidate = hashlib.scrypt(_normalized(password), salt=salt, n=n, r=r, p=p,
                                   maxmem=MAX_MEMORY, dklen=len(digest))
    except ValueError:  # parameters that scrypt refuses (a damaged row)
        return False
    return hmac.compare_digest(candidate, digest)


def needs_rehash(stored: str) -> bool:
    """Was this hash made with other (older) parameters than today's?"""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (N, R, P) or len(parsed[3]) < SALT_BYTES


DUMMY_HASH = ("scrypt$32768$8$1$eC8VR5/ENKV7NxVOIkhSoA==$"
              "+OhdcF/Y2PJPR6hKId6bNGXyJ0QOpcZOLwIA7t6Wtzg=")
"""What a login checks against when there is no account or no password, so that it
costs one scrypt run like any other and its time does not tell which names exist. The
hash of a random password nobody kept; a constant, not made at run time, because each
browser session is a process of its own and would pay for making it at its first
unknown name. Made with today's parameters (a test checks)."""


def password_problem(password: str) -> str | None:
    """Why this password cannot be used (Dutch), or None when it can."""
    if len(password) < MIN_LENGTH:
        return (f"Een wachtwoord heeft minstens {MIN_LENGTH} tekens (dit heeft er "
                f"{len(password)}). Een zin van een paar woorden is lang genoeg en goed "
                "te onthouden.")
    if not password.strip():
        return "Een wachtwoord van alleen spaties kan niet."
    if len(set(password)) < 4:
        return "Dit wachtwoord is te eenvoudig: gebruik meer verschillende tekens."
    return None
