"""``python -m zebench`` runs the CLI."""

from zebench.cli.entry import main

main()
