"""Pseudonyms for respondent ids that are personal data, keyed with a per-project secret.

An unkeyed hash of a phone or NHS number can be reversed by trying every number (about
10^9 of them). With the secret (32 random bytes in ``.theming-secret`` beside pipeline.yaml,
created by ``theming init``, never copied into a run folder) a pseudonym is an HMAC-SHA256
of the id: the same person keeps the same pseudonym in every round of one project, and
nobody without the file can test a guess. Without a secret the pseudonym is an unkeyed hash,
labelled ``id-unkeyed-...`` and reported in the manifest and the run summary.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from pipeline.errors import ConfigError

SECRET_BYTES = 32
KEYED_PREFIX = "id-"
UNKEYED_PREFIX = "id-unkeyed-"
PSEUDONYM = re.compile(r"^id-(?:unkeyed-)?[0-9a-f]{10,12}$")  # what ``pseudonym`` makes


def new_secret(path: str | Path) -> Path:
    """Write a new random secret to ``path`` (owner-readable only); refuse to replace one,
    since every pseudonym of the project depends on it."""
    path = Path(path)
    if path.exists():
        raise ConfigError(f"{path}: a project secret already exists; keep it (replacing it "
                          "changes every pseudonym) or delete it yourself first", code="C012")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    return path


def load_secret(path: str | Path | None) -> bytes | None:
    """The secret in ``path``, or None when there is no such file."""
    if path is None:
        return None
    path = Path(path)
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable project secret ({exc}); restore it from your "
                          "backup, or delete it and run 'theming init' (pseudonyms change)",
                          code="C012") from None
    if len(secret) < 16:
        raise ConfigError(f"{path}: the project secret is too short ({len(secret)} bytes); "
                          "run 'theming init' to create a proper one", code="C012")
    return secret


def keyed_hash(value: str, secret: bytes | None, length: int = 16) -> str:
    """Hex HMAC-SHA256 of ``value`` under ``secret`` (plain SHA-256 without one)."""
    data = value.encode("utf-8")
    if secret is None:
        return hashlib.sha256(data).hexdigest()[:length]
    return hmac.new(secret, data, hashlib.sha256).hexdigest()[:length]


def pseudonym(value: str, secret: bytes | None) -> str:
    """``id-<12 hex>`` keyed with ``secret``; ``id-unkeyed-<10 hex>`` without one."""
    if secret is None:
        return UNKEYED_PREFIX + keyed_hash(value, None, 10)
    return KEYED_PREFIX + keyed_hash(value, secret, 12)
