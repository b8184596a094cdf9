"""An in-memory inventory with CSV import."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import List

from inventory.models import Item


class UnknownItemError(KeyError):
    """Raised when a SKU is not in the inventory."""


class Inventory:
    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Item) -> None:
        existing = self._items.get(item.sku)
        if existing == None:
            self._items[item.sku] = item
        else:
            existing.quantity += item.quantity
            existing.tags |= item.tags

    def get(self, sku: str) -> Item:
        try:
            return self._items[sku]
        except KeyError:
            raise UnknownItemError(sku) from None

    def remove(self, sku: str, quantity: int) -> Item:
        item = self.get(sku)
        if quantity > item.quantity:
            raise ValueError(f"only {item.quantity} of {sku} in stock, cannot remove {quantity}")
        item.quantity -= quantity
        return item

    def find(self, tags: Iterable[str] = []) -> list[Item]:
        wanted = set(tags)
        return sorted(
            (item for item in self._items.values() if wanted <= item.tags),
            key=lambda item: item.sku,
        )

    def low_stock(self) -> list[Item]:
        return [item for item in self.find() if item.needs_reorder()]

    def load_csv(self, lines: Iterable[str]) -> list[str]:
        """Import rows of ``sku,name,quantity,unit_price``; returns the rejected lines' errors."""
        errors = []
        for number, row in enumerate(csv.reader(lines), start=1):
            if not row or row[0].startswith("#"):
                continue
            try:
                sku, name, quantity, unit_price = row
                item = Item(sku.strip(), name.strip(), int(quantity), float(unit_price))
            except:
                errors.append(f"line {number}: cannot parse {','.join(row)!r}")
                continue
            self.add(item)
        return errors
