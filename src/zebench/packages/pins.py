"""Checking a downloaded archive against a scenario's pin, and the record of what the cache verified.

Several scenarios may pin the same release, and they share one cached archive. So a pin that does
not match the cached file is first of all a question about the *pin*: the file was verified when
it entered the cache, and its digest then is kept beside it (``<archive>.verified``). Only when
the file no longer has that digest is the file at fault (damaged in the cache) and set aside.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from zebench.errors import ZebenchError
from zebench.scenarios.model import PackageFixture

VERIFIED_SUFFIX = ".verified"  # beside a cached archive: the digest it had when it was cached
REJECTED_SUFFIX = ".rejected"  # a file set aside: a download that failed its pin, a damaged archive
_RECORD_MAX_BYTES = 64 * 1024


class FetchError(ZebenchError):
    """A package could not be downloaded, or did not match its pin."""


def file_digest(path: Path, registry: str) -> str:
    """The file's digest in the form the pin uses: ``sha256:<hex>`` or ``sha512-<base64>``."""
    h = hashlib.sha256() if registry == "pypi" else hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    if registry == "pypi":
        return f"sha256:{h.hexdigest()}"
    return f"sha512-{base64.b64encode(h.digest()).decode()}"


def is_archive(path: Path) -> bool:
    """Whether ``path`` is a cached archive, not one of the files kept beside archives."""
    return path.is_file() and not path.name.endswith((VERIFIED_SUFFIX, REJECTED_SUFFIX))


def record_verified(archive: Path, digest: str, pinned_in: Path | None) -> None:
    """Remember that ``archive`` had ``digest`` when it was cached, and which scenario pinned it."""
    payload = {"digest": digest, "pinned_in": str(pinned_in) if pinned_in else None}
    record = archive.with_name(archive.name + VERIFIED_SUFFIX)
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    tmp.replace(record)


def verified_record(archive: Path) -> tuple[str, str | None] | None:
    """The digest ``archive`` had when it was cached and the scenario that pinned it; None if unknown."""
    record = archive.with_name(archive.name + VERIFIED_SUFFIX)
    try:
        with record.open("rb") as handle:
            data = json.loads(handle.read(_RECORD_MAX_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("digest"), str):
        return None
    pinned_in = data.get("pinned_in")
    return data["digest"], pinned_in if isinstance(pinned_in, str) else None


def set_aside(archive: Path) -> Path:
    """Move ``archive`` out of use (``<name>.rejected``), dropping its record; returns the new path."""
    rejected = archive.with_name(archive.name + REJECTED_SUFFIX)
    archive.replace(rejected)
    archive.with_name(archive.name + VERIFIED_SUFFIX).unlink(missing_ok=True)
    return rejected


def check_command(fixture: PackageFixture) -> str:
    """A command that shows the registry's own hash of the release, to check a pin against."""
    if fixture.registry == "pypi":
        return f"pip download --no-deps --no-binary :all: {fixture.requirement} -d /tmp/pin && sha256sum /tmp/pin/*"
    return f"npm view {fixture.requirement} dist.integrity"


def wrong_pin(fixture: PackageFixture, found: str, what: str, outcome: str) -> FetchError:
    """The one-line error for a pin that ``what`` (the file, described) does not match.

    Names the scenario file, the pin's field, the expected and the actual hash, and the fix;
    ``outcome`` says what happened to the file (kept in the cache, or set aside).
    """
    actual = found.removeprefix("sha256:")
    return FetchError(
        f"{fixture.requirement} is pinned to {fixture.pin_value}, but {what} has {actual}",
        file=fixture.pinned_in,
        field=fixture.pin_field,
        hint=f"check the release's hash with `{check_command(fixture)}` and correct the pin; {outcome}",
    )
