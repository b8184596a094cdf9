#!/usr/bin/env python3
"""A tiny, dependency-free linter for this repository (CI runs it on every push).

Usage: python3 tools/lint.py PATH [PATH ...]

Checks:
  F401  unused import                      E711  comparison to None with == / !=
  F841  local variable assigned, never used E722  bare `except:`
  B006  mutable default argument           E501  line longer than 100 characters
  W291  trailing whitespace                E999  syntax error

A line ending in `# noqa` (or `# noqa: CODE[,CODE]`) is not reported for those codes.
Prints `path:line: CODE message` per finding and exits 1 if anything was found.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

MAX_LINE_LENGTH = 100
NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
MUTABLE_LITERALS = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
MUTABLE_CALLS = {"list", "dict", "set", "bytearray"}
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def check_unused_imports(tree: ast.Module) -> list[tuple[int, str, str]]:
    imported: dict[str, tuple[int, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                imported[bound] = (node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if alias.name != "*":
                    full = f"{node.module}.{alias.name}"
                    imported[alias.asname or alias.name] = (node.lineno, full)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for node in tree.body:  # names re-exported through __all__ count as used
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            used.update(
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            )
    return [
        (line, "F401", f"'{full}' imported but unused")
        for name, (line, full) in imported.items()
        if name not in used
    ]


def _own_nodes(function: ast.AST):
    """Nodes of a function body, not descending into nested functions or classes."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def check_unused_locals(tree: ast.Module) -> list[tuple[int, str, str]]:
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        declared = set()
        assigned: dict[str, int] = {}
        for node in _own_nodes(function):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                declared.update(node.names)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, target.lineno)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target = node.target
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, node.lineno)
        loaded = {  # includes nested functions: closures may read the variable
            n.id
            for n in ast.walk(function)
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)
        }
        for name, line in assigned.items():
            if name not in loaded and name not in declared and not name.startswith("_"):
                message = f"local variable '{name}' is assigned to but never used"
                found.append((line, "F841", message))
    return found


def check_nodes(tree: ast.Module) -> list[tuple[int, str, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            found.append((node.lineno, "E722", "do not use bare 'except:'"))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                if isinstance(op, (ast.Eq, ast.NotEq)) and any(
                    isinstance(side, ast.Constant) and side.value is None for side in (left, right)
                ):
                    symbol = "==" if isinstance(op, ast.Eq) else "!="
                    message = f"comparison to None with '{symbol}'; use 'is'"
                    found.append((node.lineno, "E711", message))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is None:  # a keyword-only argument without a default
                    continue
                is_call = (
                    isinstance(default, ast.Call)
                    and isinstance(default.func, ast.Name)
                    and default.func.id in MUTABLE_CALLS
                )
                if isinstance(default, MUTABLE_LITERALS) or is_call:
                    found.append((default.lineno, "B006", "mutable default argument; use None"))
    return found


def check_lines(source: str) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if len(line) > MAX_LINE_LENGTH:
            found.append((number, "E501", f"line too long ({len(line)} > {MAX_LINE_LENGTH})"))
        if line != line.rstrip():
            found.append((number, "W291", "trailing whitespace"))
    return found


def lint_file(path: Path) -> list[tuple[int, str, str]]:
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        return [(error.lineno or 1, "E999", f"syntax error: {error.msg}")]
    findings = check_unused_imports(tree) + check_unused_locals(tree) + check_nodes(tree)
    findings += check_lines(source)
    lines = source.splitlines()
    kept = []
    for line, code, message in findings:
        match = NOQA.search(lines[line - 1]) if 0 < line <= len(lines) else None
        codes = match and match.group("codes")
        if match and (not codes or code in {c.strip().upper() for c in codes.split(",")}):
            continue
        kept.append((line, code, message))
    return sorted(set(kept))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    files: list[Path] = []
    for arg in argv:
        root = Path(arg)
        if not root.exists():
            print(f"{arg}: no such file or directory", file=sys.stderr)
            return 2
        files.extend(sorted(root.rglob("*.py")) if root.is_dir() else [root])
    total = 0
    for path in files:
        for line, code, message in lint_file(path):
            print(f"{path.as_posix()}:{line}: {code} {message}")
            total += 1
    if total:
        print(f"Found {total} error{'s' if total != 1 else ''}.")
        return 1
    print("All checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
