"""Closing the hub connections of revoked keys, wherever they are served.

``keys_revoked`` is sent after the revoking transaction commits; each key's group reaches its
sockets in this process (in-memory layer) or in every process (Redis).
"""

from intercom import groups
from intercom.events import REVOKED_MESSAGE, send_to_group


def close_connections_of_revoked_keys(sender, key_ids=(), **kwargs):
    for key_id in key_ids:
        send_to_group(groups.for_key(key_id), {"type": REVOKED_MESSAGE})
