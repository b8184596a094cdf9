"""The built-in evaluators, one module per concern.

Importing this package imports none of them: ``zebench.evaluators.base.BUILTIN_EVALUATORS`` maps
each name to its module, imported the first time that evaluator is used (the modules register
themselves with ``@register_evaluator``).
"""

from zebench.evaluators.builtin._base import BaseEvaluator

__all__ = ["BaseEvaluator"]
