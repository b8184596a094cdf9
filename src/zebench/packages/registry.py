"""Download a pinned package once, with the registry's own client, and check its hash.

PyPI sdists come from ``pip download --no-deps --no-binary :all:`` and npm tarballs from
``npm pack``: the clients users already configured (indexes, mirrors, certificates, proxies). The
digest is compared before anything reaches the cache: a download whose hash differs from the
scenario's pin is an error and is set aside, never used or silently replaced; a cached archive
that another scenario pinned correctly stays where it is when this scenario's pin is wrong.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from zebench._names import path_safe
from zebench.packages.cache import cache_path, exclusive
from zebench.packages.pins import (
    FetchError,
    file_digest,
    is_archive,
    record_verified,
    set_aside,
    verified_record,
    wrong_pin,
)
from zebench.packages.tools import run_tool
from zebench.scenarios.model import PackageFixture
from zebench.steps import NO_STEPS, StepReporter

__all__ = ["FetchError", "cached_archive", "download_dir", "fetch_archive", "file_digest", "pin_release"]

DOWNLOAD_TIMEOUT_S = 900.0
_REGISTRY_NAMES = {"pypi": "PyPI", "npm": "the npm registry"}


def download_dir(fixture: PackageFixture) -> Path:
    """Where the verified archive of ``fixture`` is kept: one file in a folder of its own."""
    return (
        cache_path("downloads", fixture.registry) / f"{path_safe(fixture.name)}-{path_safe(fixture.version)}"
    )


def _cached_file(fixture: PackageFixture) -> Path | None:
    """The archive cached for this release, whichever pin it was verified against."""
    folder = download_dir(fixture)
    files = sorted(p for p in folder.iterdir() if is_archive(p)) if folder.is_dir() else []
    return files[0] if files else None


def _intact(archive: Path, fixture: PackageFixture) -> str | None:
    """The cached archive's digest; None (the file set aside) when it changed since it was cached."""
    found = file_digest(archive, fixture.registry)
    record = verified_record(archive)
    if record is not None and record[0] != found:
        set_aside(archive)  # damaged in the cache: wrong for every scenario, so out of use
        return None
    if record is None and found == fixture.digest:
        record_verified(archive, found, fixture.pinned_in)  # cached before records were kept
    return found


def cached_archive(fixture: PackageFixture) -> Path | None:
    """The cached archive when it matches the pin; raises when the pin and the cached file differ.

    The cached file is left in place when the pin is wrong: it was verified when it was cached, and
    other scenarios may pin it correctly. A file that changed since it was cached is set aside.
    """
    archive = _cached_file(fixture)
    if archive is None:
        return None
    found = _intact(archive, fixture)
    if found is None:
        raise FetchError(
            f"the cached {archive.name} of {fixture.requirement} changed since it was verified",
            file=archive.parent,
            field="fixture",
            hint=f"it was set aside as {archive.name}.rejected; run again to download it afresh",
        )
    if found == fixture.digest:
        return archive
    record = verified_record(archive)
    verified_by = f" (verified against {record[1]})" if record and record[1] else ""
    raise wrong_pin(
        fixture, found, f"the cached {archive.name}{verified_by}", f"the cached file was kept: {archive}"
    )


def fetch_archive(fixture: PackageFixture, steps: StepReporter = NO_STEPS) -> Path:
    """The package's archive, downloaded into the cache on first use and verified against its pin.

    The download is reported to ``steps`` (nothing is when the archive is cached).
    """
    folder = download_dir(fixture)
    with exclusive(folder.with_name(folder.name + ".lock")):
        archive = cached_archive(fixture)
        if archive is not None:
            return archive
        with (
            tempfile.TemporaryDirectory(prefix="download-", dir=folder.parent) as tmp,
            steps.step(f"download {fixture.requirement} from {_REGISTRY_NAMES[fixture.registry]}"),
        ):
            downloaded = _download(fixture, Path(tmp))
            found = file_digest(downloaded, fixture.registry)  # before the file reaches the cache
            folder.mkdir(parents=True, exist_ok=True)
            if found != fixture.digest:
                rejected = folder / f"{downloaded.name}.rejected"
                shutil.move(downloaded, rejected)
                raise wrong_pin(
                    fixture,
                    found,
                    f"the downloaded {downloaded.name}",
                    f"the download was set aside as {rejected}",
                )
            return _publish(downloaded, folder, found, fixture)


def _publish(downloaded: Path, folder: Path, digest: str, fixture: PackageFixture) -> Path:
    archive = folder / downloaded.name
    record_verified(archive, digest, fixture.pinned_in)  # first: an archive never lacks its record
    shutil.move(downloaded, archive)
    return archive


def pin_release(registry: str, name: str, version: str, pinned_in: Path | None = None) -> PackageFixture:
    """The fixture of a release not pinned yet: downloaded (or found in the cache), its hash taken.

    For scaffolding a scenario from a package: the hash is what the registry's client downloaded
    (pip and npm check the registry's own hashes on the way), and the archive is cached as verified,
    so the scenario's first run needs no second download.
    """
    fixture = PackageFixture(
        registry=registry,  # type: ignore[arg-type]
        name=name,
        version=version,
        digest="",
        pinned_in=pinned_in,
    )
    folder = download_dir(fixture)
    with exclusive(folder.with_name(folder.name + ".lock")):
        archive = _cached_file(fixture)
        found = _intact(archive, fixture) if archive is not None else None
        if archive is not None and found is not None and verified_record(archive) is None:
            record_verified(archive, found, pinned_in)
        if found is None:
            with tempfile.TemporaryDirectory(prefix="download-", dir=folder.parent) as tmp:
                downloaded = _download(fixture, Path(tmp))
                found = file_digest(downloaded, registry)
                folder.mkdir(parents=True, exist_ok=True)
                _publish(downloaded, folder, found, fixture)
    return fixture.model_copy(update={"digest": found})


def _download(fixture: PackageFixture, into: Path) -> Path:
    if fixture.registry == "pypi":
        argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                "--disable-pip-version-check", "--no-input", "-d", str(into), fixture.requirement]  # fmt: skip
    else:
        npm = shutil.which("npm")
        if npm is None:
            raise FetchError(
                f"cannot download {fixture.requirement}: npm is not installed",
                field="fixture",
                hint="install Node.js and npm (apt-get install nodejs npm)",
            )
        argv = [
            npm,
            "pack",
            fixture.requirement,
            "--pack-destination",
            str(into),
            "--json",
            "--ignore-scripts",
        ]
    problem = run_tool(argv, DOWNLOAD_TIMEOUT_S)
    files = [p for p in into.iterdir() if p.is_file()]
    if problem is not None or len(files) != 1:
        raise _offline(fixture, problem or f"expected one downloaded file, found {len(files)}")
    return files[0]


def _offline(fixture: PackageFixture, detail: str) -> FetchError:
    registry = _REGISTRY_NAMES[fixture.registry]
    return FetchError(
        f"cannot download {fixture.requirement} from {registry}: {detail}",
        field="fixture",
        hint=f"it is not in the cache ({download_dir(fixture)}); run `zebench fetch SUITE` where "
        f"{registry} can be reached, or point ZEBENCH_CACHE_DIR at a filled cache",
    )
