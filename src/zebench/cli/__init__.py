"""The ``zebench`` command line: a thin Typer + Rich shell over the library."""
