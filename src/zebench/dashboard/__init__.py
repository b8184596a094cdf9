"""The web dashboard: server-rendered pages over a ResultStore, mounted on the results server's app."""

from zebench.dashboard.app import mount_dashboard

__all__ = ["mount_dashboard"]
