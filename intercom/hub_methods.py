"""What clients may invoke on the hub: ``Subscribe``, ``Unsubscribe`` and ``Ping``.

Topics are event names; a connection starts subscribed to every event its role may see (the
channel-layer groups decide which reach it) and narrows that with ``Unsubscribe``. Each method
takes the connection and the invocation's arguments and returns the Completion's result; an
:class:`InvocationError` becomes the Completion's error, as SignalR servers report them.
"""

from intercom import events


class InvocationError(Exception):
    """The invocation cannot be carried out; the message is sent back to the client."""


def subscribe(connection, topics):
    connection.topics |= _topics(topics)
    return sorted(connection.topics)


def unsubscribe(connection, topics):
    connection.topics -= _topics(topics)
    return sorted(connection.topics)


def ping(connection):
    return "Pong"


#: Methods clients may invoke: name → (function, number of arguments).
METHODS = {
    "Subscribe": (subscribe, 1),
    "Unsubscribe": (unsubscribe, 1),
    "Ping": (ping, 0),
}


def invoke(connection, target, arguments):
    """The result of ``target(*arguments)`` on ``connection``, or :class:`InvocationError`."""
    method = METHODS.get(target)
    if method is None:
        raise InvocationError(f"Unknown hub method '{target[:100]}'")
    function, arity = method
    if len(arguments) != arity:
        raise InvocationError(f"Invocation provides {len(arguments)} argument(s) but target expects {arity}.")
    return function(connection, *arguments)


def _topics(topics):
    if isinstance(topics, str):
        topics = [topics]
    if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
        raise InvocationError("Topics must be a list of event names.")
    unknown = sorted(set(topics) - events.EVENTS)
    if unknown:
        raise InvocationError(f"Unknown topic '{unknown[0][:100]}'.")
    return set(topics)
