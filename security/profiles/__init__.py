"""Profiles (``/profiles``): the people using the engine, and the rules that keep an Administrator.

Identity lives in ``security/``: a profile is who owns API keys (every key belongs to one; the
key's role stays the authority); per-profile state lives in ``library/``, keyed by profile.
"""
