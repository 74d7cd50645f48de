"""Scanning library roots: walking, recognising, fingerprinting and tagging media files."""
