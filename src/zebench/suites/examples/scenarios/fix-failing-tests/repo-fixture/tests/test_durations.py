import unittest

from textkit import DurationError, format_duration, parse_duration


class ParseDurationTests(unittest.TestCase):
    def test_bare_number_is_seconds(self):
        self.assertEqual(parse_duration("45"), 45)

    def test_single_units(self):
        self.assertEqual(parse_duration("90s"), 90)
        self.assertEqual(parse_duration("15m"), 900)
        self.assertEqual(parse_duration("2h"), 7200)

    def test_combined_tokens(self):
        self.assertEqual(parse_duration("1h30m"), 5400)
        self.assertEqual(parse_duration("1H 30M 15S"), 5415)

    def test_days(self):
        self.assertEqual(parse_duration("1d"), 86400)
        self.assertEqual(parse_duration("2d 4h"), 2 * 86400 + 4 * 3600)

    def test_rejects_garbage(self):
        for bad in ("", "   ", "soon", "10 minutes", "5x", "1h oops"):
            with self.assertRaises(DurationError, msg=f"parse_duration({bad!r})"):
                parse_duration(bad)


class FormatDurationTests(unittest.TestCase):
    def test_zero(self):
        self.assertEqual(format_duration(0), "0s")

    def test_seconds_only(self):
        self.assertEqual(format_duration(42), "42s")

    def test_mixed_units(self):
        self.assertEqual(format_duration(5400), "1h 30m")
        self.assertEqual(format_duration(93784), "1d 2h 3m 4s")

    def test_negative_is_an_error(self):
        with self.assertRaises(DurationError):
            format_duration(-1)

    def test_round_trip(self):
        for text in ("45s", "1h 30m", "2d 4h", "1d 2h 3m 4s"):
            self.assertEqual(format_duration(parse_duration(text)), text)


if __name__ == "__main__":
    unittest.main()
