"""Where a stored scan lives in the data folder: a path made from its SHA-256, and the check every use makes.

A path held in a record is never trusted as it is: it may have come from another node, and a record that
names ``../../Windows/…`` or an absolute path must not send the program (the integrity check, a viewer, a
copy to a USB stick) anywhere outside the data folder. Every stored file is
``attachments/<first two hex digits>/<sha256>.<suffix>``: anything else is refused wherever it is read.
"""

from __future__ import annotations

import re
from typing import Final

# The kinds of file a scan or photo may be (a document camera writes .jpg, a scanner .pdf or .tif).
SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".pdf", ".tif", ".tiff", ".bmp", ".webp"})
FOLDER: Final = "attachments"

_PATH = re.compile(r"^attachments/([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z]{3,4})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def stored_path(sha256: str, suffix: str) -> str:
    """The path (relative to the data folder, with ``/``) a file of this content is stored under."""
    if not _SHA256.match(sha256):
        raise ValueError("not a SHA-256 in hex")
    if suffix.lower() not in SUFFIXES:
        raise ValueError(f"not a scan's suffix: {suffix}")
    return f"{FOLDER}/{sha256[:2]}/{sha256}{suffix.lower()}"


def path_problem(path: str, sha256: str | None = None) -> str | None:
    """Why ``path`` is not a stored file's path (``None`` when it is one): it must be exactly
    ``attachments/ab/<sha256>.<suffix>`` — relative, inside the data folder, no ``..``, no drive, no
    backslash — and, when the record's ``sha256`` is given, made from that digest."""
    m = _PATH.match(path)
    if m is None:
        return "not_a_stored_path"
    folder, digest, suffix = m.groups()
    if suffix not in SUFFIXES or folder != digest[:2]:
        return "not_a_stored_path"
    if sha256 is not None and digest != sha256:
        return "not_its_digest"
    return None

