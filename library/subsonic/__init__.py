"""The OpenSubsonic API at ``/rest/``: the music and audiobook apps people already use.

An adapter over the engine's own principal, permissions, rate policies and services: the key a
client presents (``apiKey`` or ``u`` + ``p``) is read in :mod:`security.subsonic` and judged by
:func:`security.principal.resolve_principal` like any other; this package only speaks the
protocol (parameters, the ``subsonic-response`` envelope in XML or JSON, its error numbers) and
derives what Subsonic calls artists and albums from the engine's works.
"""
