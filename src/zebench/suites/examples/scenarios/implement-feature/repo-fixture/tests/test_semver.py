import unittest

from versionkit import Version, bump_version, parse_version


class ParseVersionTests(unittest.TestCase):
    def test_parses_full_version(self):
        self.assertEqual(
            parse_version("v1.2.3-rc.1+build.5"), Version(1, 2, 3, "rc.1", "build.5")
        )
        self.assertEqual(str(parse_version("1.2.3-rc.1+build.5")), "1.2.3-rc.1+build.5")

    def test_rejects_invalid(self):
        for bad in ("1.2", "01.2.3", "1.2.3-", "one.two.three", ""):
            with self.assertRaises(ValueError, msg=bad):
                parse_version(bad)


class BumpVersionTests(unittest.TestCase):
    def test_bump_patch(self):
        self.assertEqual(bump_version("1.2.3", "patch"), "1.2.4")

    def test_bump_minor_resets_patch(self):
        self.assertEqual(bump_version("1.2.3", "minor"), "1.3.0")

    def test_bump_major_resets_minor_and_patch(self):
        self.assertEqual(bump_version("1.2.3", "major"), "2.0.0")


if __name__ == "__main__":
    unittest.main()
