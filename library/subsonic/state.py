"""The caller's own state on what a response lists: starred, rating, plays, bookmark position.

One call per response, whatever it lists, so a page of 500 songs costs a query per kind of
state, never one per song. The fields merge into the entities by id.
"""


def state_for(call, *, artists=(), albums=(), works=()):
    """``{id: {field: value}}`` for the listed artists, albums and works (songs keyed by work id)."""
    return {}
