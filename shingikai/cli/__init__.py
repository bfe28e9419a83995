"""The `shingikai` command: `main.py` holds the parser and the entry point."""
