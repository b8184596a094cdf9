"""Coding-agent CLIs as adapters: installed at pinned versions, run inside the agent sandbox.

``base.InstalledAgent`` holds what they share; each adapter module is its config, command and parser.
``pins.PINS`` is the one list of versions; ``install`` puts them into zebench's cache.
"""
