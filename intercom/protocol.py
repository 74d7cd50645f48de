"""The SignalR JSON hub protocol: framing, the handshake and the message shapes the hub uses.

Every message is a JSON object followed by the record separator ``0x1E``; one WebSocket frame
may carry several, and the hub always answers in text frames (a binary frame makes the
official JavaScript client fail with "Message is not a string"). Handshake versions 0 to 2 are
accepted: the JSON protocol's messages did not change between them, and version 2 only adds
stateful reconnect, which the hub does not offer in its negotiate response.
"""

import json

RECORD_SEPARATOR = "\x1e"
SUPPORTED_VERSIONS = range(0, 3)

INVOCATION = 1
STREAM_ITEM = 2
COMPLETION = 3
STREAM_INVOCATION = 4
CANCEL_INVOCATION = 5
PING = 6
CLOSE = 7
ACK = 8
SEQUENCE = 9


#: WebSocket close codes the hub sends (RFC 6455, section 7.4.1).
NORMAL_CLOSURE = 1000
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009


class ProtocolError(ValueError):
    """The peer sent something that is not the SignalR JSON hub protocol."""


def encode(*messages):
    """Text for one frame carrying ``messages``, each terminated by the record separator."""
    return "".join(json.dumps(message, separators=(",", ":")) + RECORD_SEPARATOR for message in messages)


def split_records(buffer):
    """``(complete records, incomplete tail)`` of received text.

    A record may arrive split over frames; the caller keeps the tail for the next frame.
    """
    *records, tail = buffer.split(RECORD_SEPARATOR)
    return records, tail


def parse_message(record):
    """One record as a hub message (a JSON object with an integer ``type``)."""
    try:
        message = json.loads(record)
    except (ValueError, RecursionError):
        raise ProtocolError("Message is not valid JSON.") from None
    if not isinstance(message, dict):
        raise ProtocolError("Message is not a JSON object.")
    kind = message.get("type")
    if not isinstance(kind, int) or isinstance(kind, bool):
        raise ProtocolError("Message has no integer 'type'.")
    return message


def parse_handshake(record):
    """The protocol version a handshake request asks for; :class:`ProtocolError` if refused."""
    try:
        request = json.loads(record)
    except (ValueError, RecursionError):
        raise ProtocolError("Handshake request is not valid JSON.") from None
    if not isinstance(request, dict) or not isinstance(request.get("protocol"), str):
        raise ProtocolError("Handshake request has no protocol.")
    protocol, version = request["protocol"], request.get("version")
    if protocol != "json":
        raise ProtocolError(f"The protocol '{protocol[:40]}' is not supported.")
    if not isinstance(version, int) or isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise ProtocolError(f"The server does not support version {str(version)[:20]} of the 'json' protocol.")
    return version


def handshake_response(error=None):
    return encode({"error": error} if error else {})


def invocation(target, arguments):
    return {"type": INVOCATION, "target": target, "arguments": list(arguments)}


def completion(invocation_id, *, result=None, error=None):
    message = {"type": COMPLETION, "invocationId": invocation_id}
    if error is not None:
        message["error"] = error
    elif result is not None:
        message["result"] = result
    return message


def ping():
    return {"type": PING}


def close(error=None, allow_reconnect=False):
    message = {"type": CLOSE}
    if error:
        message["error"] = error
    if allow_reconnect:
        message["allowReconnect"] = True
    return message
