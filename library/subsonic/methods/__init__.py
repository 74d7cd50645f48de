"""The methods of the API, one module per area; importing this package registers them all."""

from library.subsonic.methods import artwork, browsing, lists, media, searching, state, system  # noqa: F401
