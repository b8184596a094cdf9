import unittest

from textkit import slugify


class SlugifyTests(unittest.TestCase):
    def test_simple_title(self):
        self.assertEqual(slugify("Release notes"), "release-notes")

    def test_collapses_punctuation_runs(self):
        self.assertEqual(slugify("What's new -- in 2.0?!"), "what-s-new-in-2-0")

    def test_no_leading_or_trailing_separator(self):
        self.assertEqual(slugify("  Hello, World!  "), "hello-world")
        self.assertEqual(slugify("...dots..."), "dots")

    def test_strips_accents(self):
        self.assertEqual(slugify("Crème brûlée"), "creme-brulee")

    def test_custom_separator(self):
        self.assertEqual(slugify("Hello big world", separator="_"), "hello_big_world")

    def test_truncates_at_word_boundary(self):
        slug = slugify("The quick brown fox jumps over the lazy dog", max_length=20)
        self.assertEqual(slug, "the-quick-brown-fox")
        self.assertLessEqual(len(slug), 20)

    def test_empty_title(self):
        self.assertEqual(slugify("!!!"), "")


if __name__ == "__main__":
    unittest.main()
