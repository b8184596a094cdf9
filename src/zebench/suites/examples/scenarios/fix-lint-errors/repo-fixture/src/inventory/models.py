"""The item record."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    unit_price: float = 0.0
    reorder_level: int = 5
    tags: set[str] = field(default_factory=set)

    @property
    def value(self) -> float:
        return round(self.quantity * self.unit_price, 2)

    def needs_reorder(self) -> bool:
        return self.quantity <= self.reorder_level
