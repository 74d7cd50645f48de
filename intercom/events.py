"""Publishing hub events: the one call library, metadata and provider code make per event.

``publish("MediaAdded", {...})`` queues the event for every connected role;
``audience=ADMINISTRATORS`` keeps events that carry server paths or folder details to
Administrators; ``audience=profile(pk)`` sends a profile's own state to that profile's
connections only (whatever key each was made with). Publishing never raises into the caller: a scan or request must not fail
because nobody could be told about it.

The event leaves when the caller's transaction commits (immediately outside one), so a client
that reacts by fetching the new row finds it. The frame is encoded once here, not once per
connection, and the payload goes through JSON first so dates and UUIDs arrive as strings
whatever the channel layer (the Redis layer could not serialise them).
"""

import asyncio
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from engine import shared_state
from intercom import groups, protocol

logger = logging.getLogger(__name__)

EVERYONE = "everyone"
ADMINISTRATORS = "administrators"

#: The server-to-client events, with the original system's names.
EVENTS = frozenset(
    {
        "MediaAdded",
        "IngestionStarted",
        "IngestionProgress",
        "IngestionCompleted",
        "IngestionFailed",
        "MetadataHarvested",
        "WatchFolderActive",
        "FolderHealthChanged",
        "PlaylistChanged",
        "PlayQueueChanged",
    }
)
EVENT_MESSAGE = "intercom.event"
REVOKED_MESSAGE = "intercom.revoked"

_AUDIENCE_GROUPS = {EVERYONE: groups.EVERYONE, ADMINISTRATORS: groups.ADMINISTRATORS}
_PROFILE_AUDIENCE = "profile:"


def profile(profile_id):
    """The audience of one profile's connections."""
    return f"{_PROFILE_AUDIENCE}{int(profile_id)}"


def _group_of(audience):
    if audience.startswith(_PROFILE_AUDIENCE):
        return groups.for_profile(int(audience[len(_PROFILE_AUDIENCE):]))
    return _AUDIENCE_GROUPS[audience]
_hub_loop = None
_pending_sends = set()


def publish(event, payload, *, audience=EVERYONE):
    """Deliver ``event`` (a SignalR target name) with a camelCase ``payload`` to ``audience``."""
    try:
        if event not in EVENTS:
            raise ValueError(f"unknown hub event {event!r}")
        group = _group_of(audience)
        frame = protocol.encode(protocol.invocation(event, [json.loads(json.dumps(payload, cls=DjangoJSONEncoder))]))
        message = {"type": EVENT_MESSAGE, "event": event, "text": frame}
        transaction.on_commit(lambda: send_to_group(group, message))
    except Exception:
        logger.exception("Could not publish hub event %s.", event)


def attach_loop(loop):
    """Called by each hub connection: the event loop its sockets are served on.

    The in-memory channel layer's queues belong to that loop, so code running in another thread
    (a scan worker) must hand its sends to it rather than start a loop of its own.
    """
    global _hub_loop
    _hub_loop = loop


def send_to_group(group, message):
    """``group_send`` from synchronous code on any thread; logs instead of raising."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            # Synchronous code called straight from a coroutine: async_to_sync cannot be used here.
            task = running.create_task(layer.group_send(group, message))
            _pending_sends.add(task)
            task.add_done_callback(_pending_sends.discard)
            task.add_done_callback(_log_failure)
        elif _hub_loop is not None and _hub_loop.is_running():
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _hub_loop)
            future.add_done_callback(_log_failure)
        elif shared_state.is_shared(shared_state.channel_layer_backend()):
            # No hub served by this process (a manage.py command, a db_worker): only a shared
            # layer (Redis) can reach the server's clients.
            async_to_sync(layer.group_send)(group, message)
        # Else nobody can be listening: this process serves no hub connection and its layer
        # reaches no other process. (A scan publishes thousands of events; starting an event
        # loop for each cost a first scan a fifth of its time.)
    except Exception:
        logger.exception("Could not send a hub message to %s.", group)


def _log_failure(future):
    if not future.cancelled() and future.exception() is not None:
        logger.error("Could not send a hub message: %r", future.exception())
