"""Keywords a prompt mentions (frameworks, UI components, tech), for ranking documentation.

The lists are the original's (agency-prompt-creator/src/keyword-extraction.ts). Matching is on
word boundaries rather than substrings: the original's substring test made "ant" match "important".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

FRAMEWORK_ALIASES: dict[str, tuple[str, ...]] = {
    "vite": ("vite", "vitejs"),
    "next": ("next", "nextjs", "next.js"),
    "react": ("react", "reactjs", "react.js"),
    "vue": ("vue", "vuejs", "vue.js"),
    "svelte": ("svelte", "sveltejs"),
    "angular": ("angular", "angularjs"),
    "nuxt": ("nuxt", "nuxtjs", "nuxt.js"),
    "remix": ("remix", "remix.run"),
    "astro": ("astro", "astrojs"),
    "solid": ("solid", "solidjs", "solid.js"),
}

COMPETING: dict[str, tuple[str, ...]] = {
    "vite": ("next", "nuxt", "remix"),
    "next": ("vite", "remix", "astro"),
    "remix": ("next", "vite", "nuxt"),
    "nuxt": ("next", "remix", "vite"),
    "astro": ("next", "vite", "remix"),
}

COMPONENT_WORDS: tuple[str, ...] = (
    "button", "form", "input", "modal", "dialog", "card", "navbar", "nav", "header", "footer",
    "sidebar", "menu", "dropdown", "select", "checkbox", "radio", "switch", "slider", "tabs",
    "accordion", "tooltip", "popover", "toast", "alert", "badge", "avatar", "table", "list", "grid",
    "pagination", "breadcrumb", "carousel", "skeleton", "spinner", "loader", "progress", "calendar",
    "datepicker", "chart",
)  # fmt: skip

TECH_WORDS: tuple[str, ...] = (
    "typescript", "javascript", "tailwind", "css", "scss", "sass", "styled-components", "emotion",
    "radix", "shadcn", "mui", "chakra", "mantine", "ant", "antd",
)  # fmt: skip


@cache
def _word(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(keyword.lower())}(?![a-z0-9])")


def mentions(text: str, keyword: str) -> bool:
    """Whether ``keyword`` occurs in ``text`` as a whole word (case-insensitive)."""
    return bool(_word(keyword).search(text.lower()))


@dataclass(frozen=True)
class Keywords:
    """What a prompt mentions; ``competing`` are frameworks that contradict the ones mentioned."""

    frameworks: tuple[str, ...]
    competing: tuple[str, ...]
    components: tuple[str, ...]
    tech: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.frameworks, *self.components, *self.tech)


def extract_keywords(prompt: str) -> Keywords:
    """The frameworks, components and tech words in ``prompt``, in the lists' order."""
    frameworks = tuple(
        f for f, aliases in FRAMEWORK_ALIASES.items() if any(mentions(prompt, a) for a in aliases)
    )
    competing: list[str] = []
    for framework in frameworks:
        for rival in COMPETING.get(framework, ()):
            if rival not in frameworks and rival not in competing:
                competing.append(rival)
    return Keywords(
        frameworks=frameworks,
        competing=tuple(competing),
        components=tuple(w for w in COMPONENT_WORDS if mentions(prompt, w)),
        tech=tuple(w for w in TECH_WORDS if mentions(prompt, w)),
    )


def count_frameworks(text: str, frameworks: tuple[str, ...]) -> int:
    """How many of ``frameworks`` ``text`` mentions under any alias (``nextjs.org`` counts for next)."""
    return sum(1 for f in frameworks if any(mentions(text, a) for a in FRAMEWORK_ALIASES.get(f, (f,))))


def count_words(text: str, words: tuple[str, ...]) -> int:
    return sum(1 for w in words if mentions(text, w))
