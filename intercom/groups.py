"""Channel-layer group names: who receives what.

Every connection joins :data:`EVERYONE`; Administrators also join :data:`ADMINISTRATORS`, the
only group that events carrying server paths or folder details are sent to. A connection made
with a key joins that key's group, which is how a revocation reaches exactly its sockets.
"""

EVERYONE = "intercom.everyone"
ADMINISTRATORS = "intercom.administrators"


def for_key(key_id):
    return f"intercom.key.{key_id}"


def for_principal(principal):
    """The groups a connection of ``principal`` joins."""
    names = [EVERYONE]
    if principal.is_administrator:
        names.append(ADMINISTRATORS)
    if principal.key is not None:
        names.append(for_key(principal.key.key_id))
    return names
