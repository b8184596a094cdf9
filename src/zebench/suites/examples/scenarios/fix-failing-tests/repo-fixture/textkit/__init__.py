"""Small text helpers shared by the blog generator and the job scheduler."""

from textkit.durations import DurationError, format_duration, parse_duration
from textkit.slugs import slugify

__all__ = ["DurationError", "format_duration", "parse_duration", "slugify"]
