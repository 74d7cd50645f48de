"""Channel-layer group names: who receives what.

Every connection joins :data:`EVERYONE`; Administrators also join :data:`ADMINISTRATORS`, the
only group that events carrying server paths or folder details are sent to. A connection made
with a key joins that key's group, which is how a revocation reaches exactly its sockets; every
connection joins its profile's group (the localhost bypass's is the Owner's), which is how a
profile's own state (its play queue, its playlists) reaches its other devices and nobody else.
"""

EVERYONE = "intercom.everyone"
ADMINISTRATORS = "intercom.administrators"


def for_key(key_id):
    return f"intercom.key.{key_id}"


def for_profile(profile_id):
    return f"intercom.profile.{int(profile_id)}"


def for_principal(principal, profile_id):
    """The groups a connection of ``principal``, acting for profile ``profile_id``, joins."""
    names = [EVERYONE, for_profile(profile_id)]
    if principal.is_administrator:
        names.append(ADMINISTRATORS)
    if principal.key is not None:
        names.append(for_key(principal.key.key_id))
    return names
