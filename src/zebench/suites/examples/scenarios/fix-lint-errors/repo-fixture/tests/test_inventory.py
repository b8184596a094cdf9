import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from inventory import Inventory, Item, UnknownItemError, format_report


def sample() -> Inventory:
    inventory = Inventory()
    inventory.add(Item("A-100", "Hex bolt M8", 120, 0.15, tags={"hardware", "bolts"}))
    inventory.add(Item("B-200", "Cordless drill", 3, 89.0, tags={"tools", "power"}))
    inventory.add(Item("C-300", "Safety gloves", 40, 4.5, reorder_level=50, tags={"safety"}))
    return inventory


class InventoryTests(unittest.TestCase):
    def test_add_merges_same_sku(self):
        inventory = sample()
        inventory.add(Item("A-100", "Hex bolt M8", 30, 0.15, tags={"m8"}))
        self.assertEqual(len(inventory), 3)
        self.assertEqual(inventory.get("A-100").quantity, 150)
        self.assertEqual(inventory.get("A-100").tags, {"hardware", "bolts", "m8"})

    def test_remove_and_unknown_sku(self):
        inventory = sample()
        self.assertEqual(inventory.remove("B-200", 2).quantity, 1)
        with self.assertRaises(ValueError):
            inventory.remove("B-200", 5)
        with self.assertRaises(UnknownItemError):
            inventory.get("Z-999")

    def test_find_by_tags(self):
        inventory = sample()
        self.assertEqual([i.sku for i in inventory.find()], ["A-100", "B-200", "C-300"])
        self.assertEqual([i.sku for i in inventory.find(["tools"])], ["B-200"])
        self.assertEqual([i.sku for i in inventory.find(tags={"hardware", "bolts"})], ["A-100"])
        self.assertEqual(inventory.find(["garden"]), [])

    def test_low_stock(self):
        self.assertEqual([i.sku for i in sample().low_stock()], ["B-200", "C-300"])

    def test_load_csv_reports_bad_rows(self):
        inventory = Inventory()
        errors = inventory.load_csv(
            [
                "# sku,name,quantity,unit_price",
                "D-400,Tape measure,12,6.25",
                "D-401,Spirit level,lots,9.99",
                "D-402,Too,many,columns,here",
                "",
                "D-403,Utility knife,8,3.10",
            ]
        )
        self.assertEqual([i.sku for i in inventory.find()], ["D-400", "D-403"])
        self.assertEqual(len(errors), 2)
        self.assertTrue(errors[0].startswith("line 3:"), errors)
        self.assertTrue(errors[1].startswith("line 4:"), errors)


class ReportTests(unittest.TestCase):
    def test_report_lists_items_and_reorder_markers(self):
        report = format_report(sample(), title="Weekly stock")
        lines = report.splitlines()
        self.assertEqual(lines[:2], ["Weekly stock", "============"])
        self.assertEqual(len(lines), 5)
        self.assertIn("A-100", lines[2])
        self.assertNotIn("(reorder)", lines[2])
        self.assertTrue(lines[3].endswith("(reorder)"))
        self.assertIn("89.00", lines[3])

    def test_empty_report(self):
        self.assertEqual(format_report(Inventory()), "Stock report\n============\n(no items)")


if __name__ == "__main__":
    unittest.main()
