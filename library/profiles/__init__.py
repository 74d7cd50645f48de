"""Profiles (``/profiles``): people using the engine, and the rules that keep an Administrator."""
