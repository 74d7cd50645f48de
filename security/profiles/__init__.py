"""Profiles (``/profiles``): the people using the engine, and the rules that keep an Administrator.

Identity lives in ``security/``: a profile is who owns API keys (the link from a key to its
profile comes with the OpenSubsonic work); per-profile state lives in ``library/``, keyed by
profile.
"""
