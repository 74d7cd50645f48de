"""Per-profile state (``/me/…``, ``/playlists``): stars, ratings, plays, bookmarks, the play queue
and playlists, one module per concern.

Every entry point (the REST views here, the OpenSubsonic adapter, the hub) calls these services
and the reads in ``selectors``, with the profile of the caller (``principal.profile``): what one
key of a person does, the person's other keys see, and nobody else.
"""
