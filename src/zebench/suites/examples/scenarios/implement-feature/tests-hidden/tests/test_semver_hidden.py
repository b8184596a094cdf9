"""Evaluation-only tests: copied into the workspace after the agent has finished."""

import unittest

from versionkit import bump_version


class HiddenBumpVersionTests(unittest.TestCase):
    def test_drops_prefix_and_build_metadata(self):
        self.assertEqual(bump_version("v0.9.9", "patch"), "0.9.10")
        self.assertEqual(bump_version("1.2.3+build.7", "minor"), "1.3.0")

    def test_finishes_prerelease_on_the_requested_boundary(self):
        self.assertEqual(bump_version("1.2.3-rc.1", "patch"), "1.2.3")
        self.assertEqual(bump_version("1.3.0-beta", "minor"), "1.3.0")
        self.assertEqual(bump_version("2.0.0-alpha.2", "major"), "2.0.0")

    def test_bumps_prerelease_past_a_lower_boundary(self):
        self.assertEqual(bump_version("1.2.3-rc.1", "minor"), "1.3.0")
        self.assertEqual(bump_version("1.2.3-rc.1", "major"), "2.0.0")
        self.assertEqual(bump_version("1.3.0-beta", "major"), "2.0.0")

    def test_rejects_unknown_part_and_invalid_version(self):
        with self.assertRaises(ValueError):
            bump_version("1.2.3", "build")
        with self.assertRaises(ValueError):
            bump_version("1.2", "patch")

    def test_large_numbers(self):
        self.assertEqual(bump_version("10.99.199", "patch"), "10.99.200")


if __name__ == "__main__":
    unittest.main()
