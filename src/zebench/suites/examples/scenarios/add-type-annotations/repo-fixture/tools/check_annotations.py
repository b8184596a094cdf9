#!/usr/bin/env python3
"""Check that every function is fully annotated (CI's stand-in for `mypy --disallow-untyped-defs`).

Usage: python3 tools/check_annotations.py PATH [PATH ...]

Every function and method must annotate each parameter (including *args and **kwargs) and its
return type. The first parameter of a method, conventionally `self` or `cls`, is exempt.
Lambdas are not checked. Prints
    path:line: function 'name' is missing annotations for: a, b, return
per offending function and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.AST, in_class: bool = False) -> Iterator[tuple[Function, bool]]:
    """Yield (function, is_method) pairs, recursing into classes and nested functions."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, FUNCTION_TYPES):
            yield node, in_class
            yield from _functions(node, in_class=False)
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, in_class=True)
        else:
            yield from _functions(node, in_class=in_class)


def _is_staticmethod(function: Function) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def missing_annotations(function: Function, is_method: bool) -> list[str]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    exempt_first = is_method and not _is_staticmethod(function)
    if exempt_first and positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    params = [*positional, *args.kwonlyargs]
    params += [arg for arg in (args.vararg, args.kwarg) if arg is not None]
    missing = [param.arg for param in params if param.annotation is None]
    if function.returns is None:
        missing.append("return")
    return missing


def check_file(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        return [f"{path.as_posix()}:{error.lineno or 1}: syntax error: {error.msg}"]
    problems = []
    for function, is_method in _functions(tree):
        missing = missing_annotations(function, is_method)
        if missing:
            problems.append(
                f"{path.as_posix()}:{function.lineno}: function '{function.name}' "
                f"is missing annotations for: {', '.join(missing)}"
            )
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python3 tools/check_annotations.py PATH [PATH ...]", file=sys.stderr)
        return 2
    problems: list[str] = []
    checked = 0
    for arg in argv:
        root = Path(arg)
        if not root.exists():
            print(f"{arg}: no such file or directory", file=sys.stderr)
            return 2
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            checked += 1
            problems.extend(check_file(path))
    for problem in problems:
        print(problem)
    if problems:
        print(f"Found {len(problems)} incompletely annotated function(s) in {checked} file(s).")
        return 1
    print(f"Success: all functions annotated ({checked} file(s) checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
