"""The command-line adapter (Typer + Rich): parse, call a service, present."""
