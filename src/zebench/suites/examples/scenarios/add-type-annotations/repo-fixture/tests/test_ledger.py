import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ledger import (
    Account,
    InsufficientFunds,
    format_amount,
    parse_amount,
    split_evenly,
    totals_by_category,
)


class MoneyTests(unittest.TestCase):
    def test_parse_amount(self):
        self.assertEqual(parse_amount("$1,234.5"), 123450)
        self.assertEqual(parse_amount("-12.05"), -1205)
        self.assertEqual(parse_amount(" € 7 "), 700)
        for bad in ("", "12.345", "1,23", "abc"):
            with self.assertRaises(ValueError, msg=bad):
                parse_amount(bad)

    def test_format_amount(self):
        self.assertEqual(format_amount(123450), "$1,234.50")
        self.assertEqual(format_amount(-5, symbol="£"), "-£0.05")

    def test_split_evenly(self):
        self.assertEqual(split_evenly(1000, 3), [334, 333, 333])
        self.assertEqual(sum(split_evenly(1001, 7)), 1001)
        with self.assertRaises(ValueError):
            split_evenly(100, 0)


class AccountTests(unittest.TestCase):
    def test_deposit_withdraw_balance(self):
        account = Account("checking", opening_balance=10_000)
        account.deposit(2_500, "salary")
        account.withdraw(4_000, "rent", category="housing")
        self.assertEqual(account.balance, 8_500)
        self.assertEqual([t.description for t in account.history(category="housing")], ["rent"])
        self.assertEqual(repr(account), "Account('checking', balance=$85.00)")

    def test_overdraft_and_bad_amounts(self):
        account = Account("savings")
        with self.assertRaises(InsufficientFunds):
            account.withdraw(1)
        with self.assertRaises(ValueError):
            account.deposit(0)

    def test_from_rows_and_totals(self):
        checking = Account.from_rows(
            "checking",
            [("salary", "$2,000", "income"), ("groceries", "-$84.20", "food"), ("cafe", "-4.80", "food")],
        )
        card = Account.from_rows("card", [("refund", "15", "food")])
        self.assertEqual(checking.balance, 191100)
        self.assertEqual(
            totals_by_category(checking, card, income="salary"),
            {"food": -7400, "salary": 200000},
        )


if __name__ == "__main__":
    unittest.main()
