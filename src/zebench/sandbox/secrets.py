"""Keep credentials out of stored runs: collect the harness's secret values, scrub a RunRecord."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from zebench.commands.environment import looks_like_secret_name
from zebench.llm.redact import redact, redact_data
from zebench.results.models import CommandResult, ControlResult, EvaluationResult, RunRecord

# Always collected when set, whatever the name matcher says.
_ALWAYS = ("ZE_BENCHMARKS_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY")

# Values this short or this common would shred ordinary text if replaced everywhere.
_MIN_VALUE_LEN = 8
_NOT_SECRETS = {"true", "false", "none", "null", "changeme", "password"}


def collect_secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of every variable in ``environ`` (default ``os.environ``) named like a credential.

    Names: ``*_API_KEY``, ``*_TOKEN``, ``*SECRET*``, ``*PASSWORD*``, ``ANTHROPIC_*``/``OPENAI_*``/
    ``OPENROUTER_*`` keys and tokens, ``ZE_BENCHMARKS_API_KEY``. Longest first, duplicates removed.
    """
    source = os.environ if environ is None else environ
    values = {
        value.strip()
        for name, value in source.items()
        if (name in _ALWAYS or looks_like_secret_name(name))
        and len(value.strip()) >= _MIN_VALUE_LEN
        and value.strip().lower() not in _NOT_SECRETS
    }
    return sorted(values, key=lambda v: (-len(v), v))


def _text(value: str | None, secrets: list[str]) -> str | None:
    return None if value is None else redact(value, secrets)


def _command(result: CommandResult, secrets: list[str]) -> CommandResult:
    return result.model_copy(
        update={
            "command": redact(result.command, secrets),
            "stdout": redact(result.stdout, secrets),
            "stderr": redact(result.stderr, secrets),
            "error": _text(result.error, secrets),
        }
    )


def _evaluation(result: EvaluationResult, secrets: list[str]) -> EvaluationResult:
    return result.model_copy(
        update={"summary": redact(result.summary, secrets), "details": redact_data(result.details, secrets)}
    )


def scrub_record(record: RunRecord, secrets: Iterable[str]) -> RunRecord:
    """A copy of ``record`` with every secret value and key-like string replaced by ``[REDACTED]``.

    Covers everything free-form a run stores: artifacts (agent output, diff, trajectory), validation
    commands and their output, evaluation summaries and details, the reason, the prompt, the oracle
    questions and the metadata. The record passed in is left unchanged.
    """
    secret_list = list(secrets)
    return record.model_copy(
        update={
            "artifacts": {key: redact(value, secret_list) for key, value in record.artifacts.items()},
            "validation": [_command(c, secret_list) for c in record.validation],
            "evaluations": [_evaluation(e, secret_list) for e in record.evaluations],
            "reason": _text(record.reason, secret_list),
            "prompt_sent": _text(record.prompt_sent, secret_list),
            "oracle_questions": [
                {k: redact(v, secret_list) for k, v in q.items()} for q in record.oracle_questions
            ],
            "metadata": redact_data(record.metadata, secret_list),
        }
    )


def scrub_control(control: ControlResult, secrets: Iterable[str]) -> ControlResult:
    """A copy of a warmup control with every secret value and key-like string in its commands'
    text and output, and in its test ids, replaced by ``[REDACTED]``."""
    secret_list = list(secrets)
    update: dict[str, object] = {"commands": [_command(c, secret_list) for c in control.commands]}
    if control.failed_tests:
        update["failed_tests"] = [redact(t, secret_list) for t in control.failed_tests]
    return control.model_copy(update=update)
