"""Shortened run and batch ids: which stored id one stands for, and the short form lists show.

A run id is ``run_<unix-ms>_<random>`` and the runs of one batch share the ``run_<ms>_`` part, so
a list cut to fit a terminal used to drop exactly the characters that told them apart. Any unique
start or end of an id resolves instead (``match_ids`` on every store, ``resolved_id`` here), and
lists show each generated id by its end: the shortest suffix no other listed id starts or ends with.
Pure functions: no database here, so the CLI's listings import nothing heavy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zebench.errors import AmbiguousIdError, NotFoundError, ZebenchError
from zebench.store.queries import IdKind, IdMatches

MAX_CANDIDATES = 10  # ids named in an "ambiguous" message
SHORT_MIN = 8  # a run id's random part; 10^8 ms (~28 hours) of a batch id's clock
# zebench's own id shapes (results.models.new_run_id / new_batch_id); ids a user chose are shown whole.
_GENERATED = re.compile(r"^(?:run|batch)_\d+(?:_[a-z0-9]+)?$")
_LISTS = {"run": "zebench runs", "batch": "zebench batches"}


def id_query(kind: IdKind, text: str) -> str:
    """``text`` as an id to look up: stripped; an empty one is bad input (one line, exit 2)."""
    query = text.strip()
    if not query:
        raise ZebenchError(
            f"give a {kind} id (or a unique start or end of one)", hint=f"{_LISTS[kind]} lists them"
        )
    return query


def resolved_id(matches: IdMatches) -> str:
    """The one stored id ``matches`` stands for.

    Raises NotFoundError when nothing matched and AmbiguousIdError (naming the candidates) when
    more than one id starts or ends with the query; both are one line and exit 2 in the CLI.
    """
    kind, query = matches.kind, matches.query
    if matches.exact or (len(matches.ids) == 1 and not matches.more):
        return matches.ids[0]
    if not matches.ids:
        raise NotFoundError(
            f"{kind} {query!r} not found",
            hint=f"any unique start or end of an id works; {_LISTS[kind]} lists them",
        )
    shown = ", ".join(matches.ids)
    others = " and more" if matches.more else ""
    raise AmbiguousIdError(
        f"{kind} id {query!r} is ambiguous: it matches {shown}{others}",
        hint="give more of the id",
    )


def short_ids(ids: Iterable[str], min_len: int = SHORT_MIN) -> dict[str, str]:
    """Each id's short form for a list: unique among ``ids`` as a start or end of an id.

    An id zebench generated is shown by its shortest suffix of at least ``min_len`` characters
    that no other id of the list starts or ends with (never cut in the middle: a suffix resolves
    as it is). Any other id, one a user chose, is shown whole.
    """
    unique = list(dict.fromkeys(ids))
    out: dict[str, str] = {}
    for ident in unique:
        out[ident] = ident
        if not _GENERATED.match(ident) or len(ident) <= min_len:
            continue
        others = [other for other in unique if other != ident]
        for size in range(min_len, len(ident)):
            tail = ident[-size:]
            if not any(other.endswith(tail) or other.startswith(tail) for other in others):
                out[ident] = tail
                break
    return out
