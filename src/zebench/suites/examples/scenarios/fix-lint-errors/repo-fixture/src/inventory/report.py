"""Plain-text stock reports."""

from __future__ import annotations

from inventory.store import Inventory


def format_report(inventory: Inventory, *, title: str = "Stock report") -> str:
    lines = [title, "=" * len(title)]    
    total_value = sum(item.value for item in inventory.find())
    for item in inventory.find():
        marker = " (reorder)" if item.needs_reorder() else ""
        lines.append(f"{item.sku:<8} {item.name:<20} {item.quantity:>5} x {item.unit_price:>8.2f}{marker}")
    if len(lines) == 2:
        lines.append("(no items)")
    return "\n".join(lines)
