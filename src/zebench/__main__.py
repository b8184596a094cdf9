"""``python -m zebench`` runs the CLI."""

from zebench.cli.app import main

main()
