"""Metadata providers (TMDB, MusicBrainz): settings, HTTP clients, look-up tasks."""
