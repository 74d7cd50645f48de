"""Publishing hub events: the one call library, metadata and provider code make per event.

``publish("MediaAdded", {...})`` queues the event for every connected role;
``audience=ADMINISTRATORS`` keeps events that carry server paths or folder details to
Administrators. Publishing never raises into the caller: a scan or request must not fail
because nobody could be told about it.
"""

EVERYONE = "everyone"
ADMINISTRATORS = "administrators"


def publish(event, payload, *, audience=EVERYONE):
    """Deliver ``event`` (a SignalR target name) with a camelCase ``payload`` to ``audience``."""
    return None
