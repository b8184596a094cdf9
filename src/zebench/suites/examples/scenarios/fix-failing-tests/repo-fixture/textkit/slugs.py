"""Turn titles into URL slugs."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title: str, *, max_length: int = 60, separator: str = "-") -> str:
    """Return a lowercase ASCII slug for ``title``.

    Accents are stripped (``"Crème brûlée"`` -> ``"creme-brulee"``), runs of other characters
    become a single separator, and the result never starts or ends with the separator. When the
    slug is longer than ``max_length`` it is cut at a word boundary where possible.
    """
    normalized = unicodedata.normalize("NFKD", title)
    ascii_text = normalized.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_ALNUM.sub(separator, ascii_text)
    if len(slug) <= max_length:
        return slug

    cut = slug[:max_length]
    boundary = cut.rfind(separator)
    if boundary > 0:
        cut = cut[:boundary]
    return cut.strip(separator)
