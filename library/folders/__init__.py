"""Library roots (``/settings/folders``): creating, changing and checking them."""
