"""The OpenAPI description of ``/rest/{method}``: one operation for every method, its parameters.

The OpenSubsonic specification is the reference for each method; this description is what the
schema fuzzer needs to reach them all (method names, the parameters they read, the answers'
media types). Errors are ``subsonic-response`` errors with HTTP 200, so the engine's JSON error
responses are not added to these operations (see ``security.schema.document_errors``).
"""

from library.subsonic.registry import METHODS
from security.routes import SUBSONIC_PREFIX

PATH = SUBSONIC_PREFIX + "{method}"
_STRING = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0, "maximum": 500}
#: The parameters most methods read (each method ignores the ones it does not use); the
#: specification describes the rest.
PARAMETERS = {
    "f": {"type": "string", "enum": ["xml", "json"]},
    "id": _STRING, "type": _STRING, "size": _COUNT, "offset": {"type": "integer", "minimum": 0},
    "query": _STRING, "musicFolderId": {"type": "integer", "minimum": 0},
}
ENVELOPE = {
    "type": "object",
    "required": ["subsonic-response"],
    "properties": {"subsonic-response": {
        "type": "object",
        "required": ["status", "version", "type", "serverVersion", "openSubsonic"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "failed"]},
            "version": {"type": "string"},
            "type": {"type": "string"},
            "serverVersion": {"type": "string"},
            "openSubsonic": {"type": "boolean", "enum": [True]},
            "error": {"type": "object", "required": ["code"], "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}},
        },
    }},
}
_ANSWER = {
    "description": "A subsonic-response (errors too: status failed, with an error code), or a method's file.",
    "content": {
        "application/json": {"schema": ENVELOPE},
        "text/xml": {"schema": {"type": "string"}},
        "audio/*": {"schema": {"type": "string", "format": "binary"}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}
_FILE_PART = {"description": "A byte range of a song's file (stream, download).", "content": {"audio/*": {"schema": {"type": "string", "format": "binary"}}}}
_REFUSED = {"description": "Over a quota or unavailable: a subsonic-response error; see Retry-After.", "content": {"application/json": {"schema": ENVELOPE}, "text/xml": {"schema": {"type": "string"}}}}
_RANGE_FAILED = {"description": "The requested range is not satisfiable (stream, download).", "content": {"application/json": {"schema": {"type": "object"}}}}


def _operation(http_method):
    return {
        "operationId": f"subsonic_{http_method}",
        "tags": ["opensubsonic"],
        "summary": "An OpenSubsonic method (Subsonic 1.16.1 + extensions); GET, or POST with a form body.",
        "parameters": [
            {"name": "method", "in": "path", "required": True, "schema": {"type": "string", "enum": sorted(METHODS)}},
            *({"name": name, "in": "query", "required": False, "schema": schema} for name, schema in PARAMETERS.items()),
        ],
        "responses": {"200": _ANSWER, "206": _FILE_PART, "416": _RANGE_FAILED, "429": _REFUSED, "503": _REFUSED},
    }


def document_api(result, generator, request, public):
    """drf-spectacular post-processing hook: adds the ``/rest/{method}`` operations."""
    from security.schema import SCHEME_NAME

    result.setdefault("paths", {})[PATH] = {
        method: {**_operation(method), "security": [{SCHEME_NAME: []}]} for method in ("get", "post")
    }
    return result
