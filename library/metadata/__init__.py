"""Metadata claims: who said what about a work, and the one rule that turns claims into values."""
