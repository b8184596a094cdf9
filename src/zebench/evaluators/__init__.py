"""Evaluators: the contract, the registry and the built-ins.

Importing this package does not import the built-ins: :func:`evaluator_names` lists them by name,
and :func:`get_evaluator` imports an evaluator's module (built-in or plug-in) the first time it is
used.
"""

from zebench.evaluators.base import (
    EvaluationContext,
    Evaluator,
    evaluator_names,
    get_evaluator,
    register_evaluator,
)

__all__ = ["EvaluationContext", "Evaluator", "evaluator_names", "get_evaluator", "register_evaluator"]
