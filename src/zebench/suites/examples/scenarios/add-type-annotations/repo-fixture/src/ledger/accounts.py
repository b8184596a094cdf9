"""Accounts and their transactions."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.money import format_amount, parse_amount


class InsufficientFunds(Exception):
    """Raised when a withdrawal would overdraw an account."""


@dataclass(frozen=True)
class Transaction:
    description: str
    cents: int
    category: str = "uncategorised"


class Account:
    def __init__(self, name, opening_balance=0):
        self.name = name
        self._transactions: list[Transaction] = []
        if opening_balance:
            self._transactions.append(Transaction("opening balance", opening_balance, "opening"))

    def __repr__(self):
        return f"Account({self.name!r}, balance={format_amount(self.balance)})"

    @property
    def balance(self):
        return sum(transaction.cents for transaction in self._transactions)

    def deposit(self, cents, description="deposit", category="income"):
        self._validate(cents)
        transaction = Transaction(description, cents, category)
        self._transactions.append(transaction)
        return transaction

    def withdraw(self, cents, description="withdrawal", category="uncategorised"):
        self._validate(cents)
        if cents > self.balance:
            raise InsufficientFunds(f"{self.name}: balance {format_amount(self.balance)}")
        transaction = Transaction(description, -cents, category)
        self._transactions.append(transaction)
        return transaction

    def history(self, *, category=None):
        return [t for t in self._transactions if category is None or t.category == category]

    @classmethod
    def from_rows(cls, name, rows):
        """Build an account from ``(description, amount, category)`` rows (negative = spent)."""
        account = cls(name)
        for description, amount, category in rows:
            cents = parse_amount(amount)
            if cents >= 0:
                account.deposit(cents, description, category)
            else:
                account.withdraw(-cents, description, category)
        return account

    @staticmethod
    def _validate(cents):
        if cents <= 0:
            raise ValueError("amounts must be positive")


def totals_by_category(*accounts, **renames):
    """Sum every account's transactions per category; ``renames`` maps old to new labels."""

    def label(category):
        return renames.get(category, category)

    totals: dict[str, int] = {}
    for account in accounts:
        for transaction in account.history():
            key = label(transaction.category)
            totals[key] = totals.get(key, 0) + transaction.cents
    return dict(sorted(totals.items()))
