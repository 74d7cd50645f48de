"""Browsing and searching works (``/library/works``)."""
