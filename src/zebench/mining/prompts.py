"""Tier prompts for a mined scenario, built from the commit message and the tests the fix makes pass.

L0 is the commit subject; L1 an issue-style report from the message and the fail-to-pass test
names; L2, on request, is written by an LLM from the same material. No prompt ever holds a line
of the fix: the LLM never sees the diff, and :func:`leaked_lines` is checked on every prompt.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zebench.llm.types import LLMClient, LLMMessage, LLMRequest

MIN_LEAK_CHARS = 8  # shorter changed lines (``else:``, ``pass``) say nothing about the fix
_TRAILER = re.compile(r"^(signed-off-by|co-authored-by|reviewed-by|acked-by|cc|change-id):", re.I)
_PR_SUFFIX = re.compile(r"\s*\((?:#\d+|gh-\d+)\)\s*$")
MAX_TESTS_LISTED = 20
_DOC_SUFFIXES = frozenset({"rst", "md", "txt", "adoc", "rdoc"})
# A line that is only a name (``compose_left``, ``'pipeline',`` in __all__ or a "See also" list)
# tells no more than the subject that names it ("Rename pipline() to compose_left()").
_LONE_NAME = re.compile(r"""[`'"]*[A-Za-z_][\w.]*(\(\))?[`'"]*,?""")


def solution_lines(patch: str) -> set[str]:
    """The lines a patch adds or removes in code, stripped, that are long enough to give the fix away.

    Documentation files (a changelog entry often repeats the commit subject) are not the fix, nor
    is a line that only names something.
    """
    lines: set[str] = set()
    in_docs = False
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            in_docs = line.rsplit(".", 1)[-1].lower() in _DOC_SUFFIXES
            continue
        if in_docs or line.startswith(("+++", "---")) or not line.startswith(("+", "-")):
            continue
        text = line[1:].strip()
        if (
            len(text) >= MIN_LEAK_CHARS
            and any(ch.isalnum() for ch in text)
            and not _LONE_NAME.fullmatch(text)
        ):
            lines.add(text)
    return lines


def leaked_lines(prompt: str, patch: str) -> list[str]:
    """The solution lines of ``patch`` that appear in ``prompt`` (empty: the prompt is clean)."""
    return sorted(line for line in solution_lines(patch) if line in prompt)


def clean_subject(subject: str) -> str:
    """The commit subject without a trailing pull-request number, ``(#123)``."""
    return _PR_SUFFIX.sub("", subject).strip()


def report_body(body: str, patch: str) -> str:
    """The commit body for a report: trailers dropped, and every line that quotes the fix dropped."""
    secret = solution_lines(patch)
    kept = [
        line
        for line in body.splitlines()
        if not _TRAILER.match(line.strip()) and not any(s in line for s in secret)
    ]
    return "\n".join(kept).strip()


def l0_prompt(subject: str) -> str:
    return clean_subject(subject) + "\n"


def l1_prompt(project: str, subject: str, body: str, fail_to_pass: list[str], patch: str) -> str:
    """An issue-style report: the subject as title, the message as the report, the tests to fix."""
    parts = [
        f"# {clean_subject(subject)}",
        "",
        f"You are working in the source tree of **{project}**. Please fix the problem below. Keep the "
        "existing tests passing, and do not delete or weaken any tests.",
    ]
    text = report_body(body, patch)
    if text:
        parts += ["", "## Report", "", text]
    if fail_to_pass:
        parts += ["", "## Tests that must pass after the fix", ""]
        parts += [f"- `{name}`" for name in fail_to_pass[:MAX_TESTS_LISTED]]
        if len(fail_to_pass) > MAX_TESTS_LISTED:
            parts.append(f"- … and {len(fail_to_pass) - MAX_TESTS_LISTED} more")
        parts += ["", "Some of these tests may not exist in the tree yet; the maintainers' versions are run."]
    return "\n".join(parts) + "\n"


def l2_request(project: str, subject: str, body: str, fail_to_pass: list[str], files: list[str]) -> str:
    """What the LLM is asked: a directed report from the message, the tests and the file names only."""
    tests = "\n".join(f"- {name}" for name in fail_to_pass[:MAX_TESTS_LISTED]) or "- (none listed)"
    return (
        f"Write a bug report or feature request, in Markdown, for a developer working on the {project} "
        "source tree. It must describe the problem and the expected behaviour, and say which files to "
        "look at; it must not contain the fix or any code of it. Answer with the report only.\n\n"
        f"Commit subject: {clean_subject(subject)}\n\nCommit message:\n{body or '(empty)'}\n\n"
        f"Tests that fail before the fix and pass after it:\n{tests}\n\n"
        f"Files the fix changes:\n" + "\n".join(f"- {path}" for path in files)
    )


def l2_prompt(
    client_factory: Callable[[], LLMClient],
    model: str,
    *,
    project: str,
    subject: str,
    body: str,
    fail_to_pass: list[str],
    files: list[str],
    patch: str,
) -> tuple[str | None, str | None]:
    """(the L2 prompt, None) or (None, why there is none): an LLM reply that quotes the fix is dropped."""
    body_clean = report_body(body, patch)
    request = LLMRequest(
        model=model,
        messages=[
            LLMMessage(role="user", content=l2_request(project, subject, body_clean, fail_to_pass, files))
        ],
        max_tokens=1500,
        temperature=0.3,
    )
    reply = client_factory().complete(request).text.strip()
    if not reply:
        return None, "the LLM wrote an empty L2 prompt"
    leaks = leaked_lines(reply, patch)
    if leaks:
        return None, f"the LLM's L2 prompt quoted the fix ({len(leaks)} line(s)); dropped"
    return reply + "\n", None
