"""Running a scenario's validation commands in a workspace."""

from zebench.validation.run import run_validation

__all__ = ["run_validation"]
