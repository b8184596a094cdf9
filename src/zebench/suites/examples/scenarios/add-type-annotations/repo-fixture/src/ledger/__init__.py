"""A tiny household ledger: money parsing/formatting and accounts."""

from ledger.accounts import Account, InsufficientFunds, Transaction, totals_by_category
from ledger.money import format_amount, parse_amount, split_evenly

__all__ = [
    "Account",
    "InsufficientFunds",
    "Transaction",
    "format_amount",
    "parse_amount",
    "split_evenly",
    "totals_by_category",
]
