"""KOReader's progress-sync routes in the OpenAPI document (they are plain views), with the
errors they can give in the protocol's own shape (``library.kosync.errors``)."""

from security.schema import SCHEME_NAME, error_statuses

ERROR_COMPONENT = "KosyncError"
ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "integer",
            "description": "The protocol's number: 2001 unauthorized, 2003 invalid request, 2004 no document, "
                           "2005 registration disabled, 2000 server error.",
        },
        "message": {"type": "string", "description": "What KOReader shows."},
        "detail": {"type": "string"},
        "error": {"type": "string", "description": "The engine's code for the same refusal."},
    },
}

_OBJECT = {"type": "object"}
_PROGRESS = {
    "type": "object",
    "required": ["document", "progress", "percentage", "device"],
    "properties": {
        "document": {"type": "string", "description": "KOReader's partial MD5 of the file (32 hex digits)."},
        "progress": {"type": "string", "maxLength": 2000, "description": "KOReader's position: an XPointer or a page number."},
        "percentage": {"type": "number", "minimum": 0, "maximum": 1},
        "device": {"type": "string", "maxLength": 100},
        "device_id": {"type": "string", "maxLength": 100},
    },
}


def _operation(name, summary, *, parameters=(), body=None):
    operation = {
        "operationId": f"kosync_{name}", "tags": ["kosync"], "summary": summary, "parameters": list(parameters),
        "responses": {"200": {"description": "OK.", "content": {"application/json": {"schema": _OBJECT}}}},
        "security": [{SCHEME_NAME: []}],
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


def document_sync(result, generator, request, public):
    paths = result.setdefault("paths", {})
    paths["/kosync/users/auth"] = {"get": _operation("auth", "KOReader's login check.")}
    paths["/kosync/users/create"] = {"post": _operation("create_user", "Registration: always refused (keys are made by Administrators).", body=_OBJECT)}
    paths["/kosync/syncs/progress"] = {"put": _operation("update_progress", "Save the reading position of a document.", body=_PROGRESS)}
    paths["/kosync/syncs/progress/{document}"] = {"get": _operation(
        "progress", "The latest reading position of a document; {} when none.",
        parameters=[{"name": "document", "in": "path", "required": True, "schema": {"type": "string"}}],
    )}
    paths["/kosync/healthcheck"] = {"get": _operation("healthcheck", "The sync service answers.")}
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR
    refused = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}}
    for path, operations in paths.items():
        if path.startswith("/kosync/"):
            for method, operation in operations.items():
                for status in error_statuses(path, method, operation):
                    operation["responses"][status] = {"description": "Refused, in the protocol's shape.", **refused}
    return result
