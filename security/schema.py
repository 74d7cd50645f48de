"""The OpenAPI document's security side: the ``X-Api-Key`` scheme and the shared error shape.

drf-spectacular describes each DRF view from its serializers; what it cannot know is how the
engine authenticates (:class:`ApiKeyScheme`), that every error is ``{detail, code}`` with a known
set of statuses (:func:`document_errors`), and the routes served by plain Django views for speed
or protocol reasons (streaming, the hub's negotiate), which :func:`add_plain_views` declares so
that clients and the schema fuzzer see every route.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from security.routes import OPEN_PATHS, is_kosync_path, is_subsonic_path

SCHEME_NAME = "ApiKeyAuth"
ERROR = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR}"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error the engine sends. Validation errors add `errors` (per field); 429 adds `retry_after`.",
    "properties": {
        "detail": {"type": "string", "description": "A human sentence."},
        "code": {"type": "string", "description": "A machine code, e.g. not_authenticated, invalid, not_found."},
    },
    "required": ["detail", "code"],
}

STATUS_TEXT = {
    "400": "Bad input; nothing was changed.",
    "401": "No valid credentials: no key, or a key that is malformed, unknown, revoked or expired.",
    "403": "The caller's role does not allow this.",
    "404": "No such object.",
    "405": "Method not allowed.",
    "409": "Conflicts with the stored state; nothing was changed. A stream: the file changed since its scan (asset_changed), rescanned now.",
    "412": "Precondition failed.",
    "413": "Request body too large.",
    "416": "Requested range not satisfiable.",
    "429": "Rate limit exceeded; see Retry-After.",
    "503": "Busy or unavailable (database busy, rate-limit store, master key, hub layer); nothing was changed. See Retry-After.",
    "507": "The server's storage is full; nothing was changed.",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "security.authentication.ApiKeyAuthentication"
    name = SCHEME_NAME

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "An API key made by an Administrator. Requests from this machine without a key "
            "are the Administrator when the localhost bypass is on.",
        }


def _error_response(status):
    return {"description": STATUS_TEXT[status], "content": {"application/json": {"schema": ERROR_REF}}}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _path_id(name, description):
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 0},
    }


_RANGE_HEADERS = [
    {"name": "Range", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "One byte range, e.g. `bytes=0-1023`; several ranges are answered with the whole file."},
    {"name": "If-Range", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "If-Modified-Since", "in": "header", "required": False, "schema": {"type": "string"}},
]
_FILE = {"description": "The file, or the requested range of it.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
_STREAM_HEADERS_ONLY = {"description": "The file's headers (HEAD) or not modified (304)."}

PLAIN_VIEW_PATHS = {
    "/stream/{asset_id}": {
        "get": {
            "operationId": "stream_retrieve",
            "tags": ["stream"],
            "summary": "Stream an asset's file with byte ranges and conditional requests.",
            "parameters": [_path_id("asset_id", "The asset's id."), *_RANGE_HEADERS],
            "responses": {
                "200": _FILE, "206": _FILE, "304": _STREAM_HEADERS_ONLY, "409": _error_response("409"),
                "412": _error_response("412"), "416": _error_response("416"),
            },
        },
        "head": {
            "operationId": "stream_head",
            "tags": ["stream"],
            "summary": "An asset's headers (size, ETag, Last-Modified) without the body.",
            "parameters": [_path_id("asset_id", "The asset's id."), *_RANGE_HEADERS],
            "responses": {"200": _STREAM_HEADERS_ONLY, "304": _STREAM_HEADERS_ONLY, "409": _error_response("409"), "412": _error_response("412")},
        },
    },
    "/stream/{asset_id}/link": {
        "get": {
            "operationId": "stream_link_retrieve",
            "tags": ["stream"],
            "summary": "A short-lived signed relative URL for players that cannot send X-Api-Key.",
            "parameters": [_path_id("asset_id", "The asset's id.")],
            "responses": {
                "200": _json(
                    {"type": "object", "required": ["url", "expires_at"], "properties": {
                        "url": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}},
                    "A signed link.",
                ),
            },
        },
    },
    "/hubs/intercom/negotiate": {
        "post": {
            "operationId": "hubs_intercom_negotiate",
            "tags": ["hubs"],
            "summary": "SignalR negotiate: a connection id and token for the Intercom WebSocket.",
            "parameters": [{"name": "negotiateVersion", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}}],
            "responses": {
                "200": _json(
                    {"type": "object", "required": ["connectionId", "availableTransports"], "properties": {
                        "negotiateVersion": {"type": "integer"},
                        "connectionId": {"type": "string"},
                        "connectionToken": {"type": "string"},
                        "availableTransports": {"type": "array", "items": {"type": "object"}},
                    }},
                    "Where and how to connect.",
                ),
            },
        },
    },
}


def add_plain_views(result, generator, request, public):
    """Declares the routes that plain Django views serve (drf-spectacular sees only DRF views)."""
    paths = result.setdefault("paths", {})
    for path, operations in PLAIN_VIEW_PATHS.items():
        for method, operation in operations.items():
            paths.setdefault(path, {}).setdefault(method, {**operation, "security": [{SCHEME_NAME: []}]})
    return result


#: The only operations that can collide with stored state (409): a folder configured twice or
#: moved during its scan, the Owner or last Administrator deleted or demoted, a second scan, a
#: profile's playlist beyond the most it may have.
CONFLICTS = {
    ("/settings/folders", "post"), ("/settings/folders/{id}", "put"), ("/settings/folders/{id}", "delete"),
    ("/profiles/{id}", "put"), ("/profiles/{id}", "patch"), ("/profiles/{id}", "delete"),
    ("/ingestion/scan", "post"), ("/playlists", "post"),
}
#: Bodies that name a stored object by id (``work_id``, ``folder_id``, ``profile_id``, a list of
#: work ids), which may not exist (404).
NAMES_AN_OBJECT = {
    ("/metadata/lock-claim", "post"), ("/metadata/resolve", "post"), ("/ingestion/scan", "post"),
    ("/admin/api-keys", "post"), ("/me/plays", "post"), ("/me/play-queue", "put"), ("/playlists", "post"),
}
#: Unsafe methods that write no database row (the hub's tokens live in the cache; test-path only
#: looks), so cannot meet a full disk (507).
WRITES_NOTHING = {("/hubs/intercom/negotiate", "post"), ("/hubs/intercom/ticket", "post"), ("/settings/test-path", "post")}


def error_statuses(path, method, operation):
    """What the operation can really answer besides success, so that the schema fuzzer fails on
    any other status: an operation documented with every error would let an unexpected one pass."""
    if path in OPEN_PATHS:
        return ["429", "503"]
    statuses = ["401", "403", "429", "503"]
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if has_body or any(p.get("in") == "query" and p.get("name") not in ("page", "page_size") for p in parameters):
        statuses.append("400")
    if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters) or (path, method) in NAMES_AN_OBJECT:
        statuses.append("404")
    if has_body:
        statuses.append("413")
    if (path, method) in CONFLICTS:
        statuses.append("409")
    if method in ("put", "patch", "delete", "post") and (path, method) not in WRITES_NOTHING:
        statuses.append("507")
    return statuses


def document_errors(result, generator, request, public):
    """Adds ``Error`` and the error responses each operation can give, and the open paths' security."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if is_subsonic_path(path) or is_kosync_path(path):
                # OpenSubsonic answers its errors as subsonic-response with HTTP 200; KOReader's
                # sync in its own shape (library.kosync.schema documents those statuses).
                continue
            for status in error_statuses(path, method, operation):
                operation["responses"].setdefault(status, _error_response(status))
            if path in OPEN_PATHS:
                # Open to anyone; a key, when sent, is still recognised.
                operation["security"] = [{SCHEME_NAME: []}, {}]
    return result
