"""Stock tracking for the warehouse back office."""

from inventory.models import Item
from inventory.report import format_report
from inventory.store import Inventory, UnknownItemError

__all__ = ["Inventory", "Item", "UnknownItemError", "format_report"]
