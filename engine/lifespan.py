"""The ASGI lifespan protocol: work the apps registered to run when a server process stops.

uvicorn ends a process stopped by a signal by raising the signal again once it has shut down,
so ``atexit`` never runs there; the lifespan ``shutdown`` event is the one moment every server
process (each of several workers too) is told it is stopping. Apps register from
``AppConfig.ready`` with :func:`on_shutdown`, as they register start-up work with
:mod:`engine.startup`, so the engine's base names none of them.
"""

import logging

from asgiref.sync import sync_to_async

logger = logging.getLogger(__name__)

_on_shutdown = []


def on_shutdown(callback):
    _on_shutdown.append(callback)
    return callback


def shut_down():
    for callback in _on_shutdown:
        try:
            callback()
        except Exception:
            logger.exception("Shut-down step %s failed.", getattr(callback, "__qualname__", callback))


async def application(scope, receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await sync_to_async(shut_down, thread_sensitive=False)()
            await send({"type": "lifespan.shutdown.complete"})
            return
