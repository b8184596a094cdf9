"""Unpack a downloaded sdist or npm tarball safely, without its single top-level folder."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from zebench.errors import WorkspaceError


def unpack(archive: Path, dest: Path) -> None:
    """Extract ``archive`` (.tar.gz, .tgz, .tar.bz2 or .zip) into the new folder ``dest``.

    sdists hold ``NAME-VERSION/`` and npm tarballs ``package/``: a single top-level folder is
    stripped, so ``dest`` is the project root. Members that would land outside ``dest`` (absolute
    paths, ``..``, links pointing out, devices) are refused.
    """
    import tarfile  # here, not at module level: only a download unpacks, and a run's start-up
    import zipfile  # would pay ~10 ms for them

    staging = dest.with_name(dest.name + ".unpack")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        if zipfile.is_zipfile(archive):
            _unzip(archive, staging)
        else:
            try:
                with tarfile.open(archive) as tar:
                    tar.extractall(staging, filter="data")
            except (tarfile.TarError, OSError) as exc:
                raise WorkspaceError(f"cannot unpack the package: {exc}", file=archive) from None
        entries = list(staging.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        root.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unzip(archive: Path, dest: Path) -> None:
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise WorkspaceError(
                    f"the package holds a path outside its folder: {info.filename}", file=archive
                )
        zf.extractall(dest)
