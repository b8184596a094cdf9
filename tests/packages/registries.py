"""Protocol-faithful package registries on 127.0.0.1: a PEP 503 simple index and an npm registry.

pip and npm themselves talk to these (through PIP_INDEX_URL and npm_config_registry), so the
tests exercise zebench's real download path without leaving the machine. The packages are built
here: an sdist with an in-tree build backend (pip prepares its metadata without fetching a build
system), a wheel with a console script, and npm tarballs.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import os
import re
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

BACKEND = '''\
"""A build backend that only prepares metadata: enough for pip download."""
import os

NAME, VERSION = {name!r}, {version!r}


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    folder = NAME.replace("-", "_") + "-" + VERSION + ".dist-info"
    os.makedirs(os.path.join(metadata_directory, folder))
    with open(os.path.join(metadata_directory, folder, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\\nName: " + NAME + "\\nVersion: " + VERSION + "\\n")
    return folder


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("the test backend builds no wheels")
'''


def _tar(files: dict[str, bytes], mode: int = 0o644) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith(".sh") else mode
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sdist(name: str, version: str, files: dict[str, str]) -> tuple[str, bytes]:
    """``NAME-VERSION.tar.gz`` holding ``NAME-VERSION/`` with ``files`` and an in-tree backend."""
    top = f"{name}-{version}"
    content = {
        f"{top}/pyproject.toml": (
            '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
            f'[project]\nname = "{name}"\nversion = "{version}"\n'
        ).encode(),
        f"{top}/backend.py": BACKEND.format(name=name, version=version).encode(),
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        **{f"{top}/{path}": text.encode() for path, text in files.items()},
    }
    return f"{top}.tar.gz", _tar(content)


def wheel(name: str, version: str, module: str, source: str, script: str | None = None) -> tuple[str, bytes]:
    """A pure-Python wheel with one module and, when given, a console script ``script = module:main``."""
    dist = f"{name.replace('-', '_')}-{version}"
    files = {
        f"{module}.py": source.encode(),
        f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: zebench-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    if script:
        files[f"{dist}.dist-info/entry_points.txt"] = (
            f"[console_scripts]\n{script} = {module}:main\n".encode()
        )
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return f"{dist}-py3-none-any.whl", buffer.getvalue()


def npm_tarball(name: str, version: str, files: dict[str, str]) -> bytes:
    """An npm tarball: ``package/package.json`` plus ``files`` under ``package/``."""
    manifest = json.dumps({"name": name, "version": version, "main": "index.js"})
    content = {"package/package.json": manifest.encode()}
    content.update({f"package/{path}": text.encode() for path, text in files.items()})
    return _tar(content)


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class LocalRegistries:
    """The served packages and the request log; ``env()`` points pip and npm at them."""

    port: int = 0
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes (PyPI)
    python: dict[str, list[str]] = field(default_factory=dict)  # normalized name -> file names
    npm: dict[str, dict[str, bytes]] = field(default_factory=dict)  # name -> version -> tarball
    hits: list[str] = field(default_factory=list)

    def add_python(self, name: str, filename: str, data: bytes) -> str:
        """Serve a PyPI file; returns its sha256."""
        self.files[filename] = data
        self.python.setdefault(_normalize(name), []).append(filename)
        return hashlib.sha256(data).hexdigest()

    def add_npm(self, name: str, version: str, data: bytes) -> str:
        """Serve an npm tarball; returns its integrity."""
        self.npm.setdefault(name, {})[version] = data
        return sri_sha512(data)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, npm_cache: Path) -> dict[str, str]:
        """Variables that make pip and npm use only these registries (and no user configuration)."""
        return {
            "PIP_INDEX_URL": f"{self.base}/simple/",
            "PIP_CONFIG_FILE": os.devnull,  # ignore the machine's pip.conf (mirrors, constraints)
            "PIP_NO_CACHE_DIR": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "npm_config_registry": f"{self.base}/npm/",
            "npm_config_cache": str(npm_cache),
            "npm_config_userconfig": os.devnull,
        }


class _Handler(http.server.BaseHTTPRequestHandler):
    registries: ClassVar[LocalRegistries]

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        reg = self.registries
        reg.hits.append(self.path)
        path = self.path.split("?")[0]
        if path.startswith("/simple/"):
            name = _normalize(path.removeprefix("/simple/").strip("/"))
            links = "".join(
                f'<a href="/files/{f}#sha256={hashlib.sha256(reg.files[f]).hexdigest()}">{f}</a>\n'
                for f in reg.python.get(name, [])
            )
            status = 200 if name in reg.python else 404
            self._send(status, f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode(), "text/html")
        elif path.startswith("/files/") and path.removeprefix("/files/") in reg.files:
            self._send(200, reg.files[path.removeprefix("/files/")], "application/octet-stream")
        elif path.startswith("/npm/"):
            self._npm(path.removeprefix("/npm/"))
        else:
            self._send(404, b"not found", "text/plain")

    def _npm(self, rest: str) -> None:
        reg = self.registries
        name = rest.replace("%2f", "/").replace("%2F", "/")
        if "/-/" in name:
            package, filename = name.split("/-/", 1)
            version = filename.removeprefix(package.split("/")[-1] + "-").removesuffix(".tgz")
            data = reg.npm.get(package, {}).get(version)
            if data is None:
                self._send(404, b"{}", "application/json")
            else:
                self._send(200, data, "application/octet-stream")
            return
        versions = reg.npm.get(name)
        if versions is None:
            self._send(404, b'{"error":"not found"}', "application/json")
            return
        short = name.split("/")[-1]
        doc = {
            "name": name,
            "dist-tags": {"latest": sorted(versions)[-1]},
            "versions": {
                v: {
                    "name": name,
                    "version": v,
                    "main": "index.js",
                    "dist": {
                        "tarball": f"{reg.base}/npm/{name}/-/{short}-{v}.tgz",
                        "integrity": sri_sha512(data),
                        "shasum": hashlib.sha1(data).hexdigest(),
                    },
                }
                for v, data in versions.items()
            },
        }
        self._send(200, json.dumps(doc).encode(), "application/json")


@contextmanager
def serve(registries: LocalRegistries) -> Iterator[LocalRegistries]:
    """Serve ``registries`` on 127.0.0.1 until the block ends (then the port refuses connections)."""
    handler = type("Handler", (_Handler,), {"registries": registries})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", registries.port), handler)
    registries.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield registries
    finally:
        server.shutdown()
        server.server_close()
