"""The results server: a FastAPI app over a ResultStore, compatible with the original Worker API."""

from zebench.server.app import create_app
from zebench.server.serve import serve
from zebench.server.settings import ServerSettings, check_settings, is_loopback

__all__ = ["ServerSettings", "check_settings", "create_app", "is_loopback", "serve"]
