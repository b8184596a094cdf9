"""Evaluators: the contract, the registry and the built-ins.

Importing this package does not import the built-ins; :func:`evaluator_names` and
:func:`get_evaluator` load them on first use so plug-ins and built-ins share one registry.
"""

from zebench.evaluators.base import (
    EvaluationContext,
    Evaluator,
    evaluator_names,
    get_evaluator,
    register_evaluator,
)

__all__ = ["EvaluationContext", "Evaluator", "evaluator_names", "get_evaluator", "register_evaluator"]
