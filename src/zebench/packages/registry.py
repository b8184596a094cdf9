"""Download a pinned package once, with the registry's own client, and check its hash.

PyPI sdists come from ``pip download --no-deps --no-binary :all:`` and npm tarballs from
``npm pack``: the clients users already configured (indexes, mirrors, certificates, proxies). A
download whose hash differs from the scenario's pin is an error and is set aside, never replaced
by a silent second download.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from zebench._names import path_safe
from zebench.errors import ZebenchError
from zebench.packages.cache import cache_path, exclusive
from zebench.packages.tools import run_tool
from zebench.scenarios.model import PackageFixture
from zebench.steps import NO_STEPS, StepReporter

DOWNLOAD_TIMEOUT_S = 900.0
_REGISTRY_NAMES = {"pypi": "PyPI", "npm": "the npm registry"}


class FetchError(ZebenchError):
    """A package could not be downloaded, or did not match its pin."""


def download_dir(fixture: PackageFixture) -> Path:
    """Where the verified archive of ``fixture`` is kept: one file in a folder of its own."""
    return (
        cache_path("downloads", fixture.registry) / f"{path_safe(fixture.name)}-{path_safe(fixture.version)}"
    )


def file_digest(path: Path, registry: str) -> str:
    """The file's digest in the form the pin uses: ``sha256:<hex>`` or ``sha512-<base64>``."""
    h = hashlib.sha256() if registry == "pypi" else hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    if registry == "pypi":
        return f"sha256:{h.hexdigest()}"
    return f"sha512-{base64.b64encode(h.digest()).decode()}"


def cached_archive(fixture: PackageFixture) -> Path | None:
    """The verified archive when it is in the cache; raises when a cached file fails its pin."""
    folder = download_dir(fixture)
    files = (
        [p for p in folder.glob("*") if p.is_file() and not p.name.endswith(".rejected")]
        if folder.is_dir()
        else []
    )
    if not files:
        return None
    archive = files[0]
    _verify(archive, fixture)
    return archive


def _verify(archive: Path, fixture: PackageFixture) -> None:
    found = file_digest(archive, fixture.registry)
    if found == fixture.digest:
        return
    rejected = archive.with_name(archive.name + ".rejected")
    archive.replace(rejected)
    raise FetchError(
        f"{archive.name} of {fixture.requirement} has {found}, but the scenario pins {fixture.digest}",
        field="fixture",
        hint=f"the file was set aside as {rejected}; check the pin (a registry never changes a published file)",
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
            folder.mkdir(parents=True, exist_ok=True)
            archive = folder / downloaded.name
            shutil.move(downloaded, archive)
        _verify(archive, fixture)
        return archive


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
