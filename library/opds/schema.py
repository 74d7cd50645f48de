"""The catalog's routes in the OpenAPI document (drf-spectacular sees only DRF views), so the
schema fuzzer and API clients see them like every other route."""

from library.opds import atom, v2
from library.opds.views import FEEDS
from security.schema import SCHEME_NAME

_PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}, "description": "Page number, from 1."}
_QUERY = {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
_FILE = {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}


def _feed_operation(route, name, media_type, prefix):
    parameters = [
        {"name": part[len("<str:"):-1], "in": "path", "required": True, "schema": {"type": "string"}}
        for part in route.split("/") if part.startswith("<")
    ]
    parameters.append(_PAGE)
    if name == "search":
        parameters.append(_QUERY)
    path = "/opds/" + prefix + "/".join("{" + part[len("<str:"):-1] + "}" if part.startswith("<") else part for part in route.split("/"))
    operation = {
        "operationId": f"opds_{prefix.strip('/')}_{name}".replace("__", "_").replace("-", "_"),
        "tags": ["opds"],
        "summary": f"OPDS {'2.0' if prefix else '1.2'} feed: {name.replace('-', ' ')}.",
        "parameters": parameters,
        "responses": {"200": {"description": "The feed.", "content": {media_type: {"schema": {"type": "string" if prefix == "" else "object"}}}}},
        "security": [{SCHEME_NAME: []}],
    }
    return path, operation


def document_catalog(result, generator, request, public):
    paths = result.setdefault("paths", {})
    for route, _, name in FEEDS:
        for prefix, media_type in (("", atom.ACQUISITION_TYPE), ("v2/", v2.TYPE)):
            path, operation = _feed_operation(route, name, media_type, prefix)
            paths.setdefault(path, {})["get"] = operation
    paths.setdefault("/opds/opensearch.xml", {})["get"] = {
        "operationId": "opds_opensearch", "tags": ["opds"], "summary": "The OpenSearch description of the catalog's search.",
        "responses": {"200": {"description": "OpenSearch 1.1 description.", "content": {atom.OPENSEARCH_TYPE: {"schema": {"type": "string"}}}}},
        "security": [{SCHEME_NAME: []}],
    }
    paths.setdefault("/opds/stream/{asset_id}", {})["get"] = {
        "operationId": "opds_stream", "tags": ["opds"], "summary": "A file the catalog links to (as /stream/{asset_id} serves it).",
        "parameters": [{"name": "asset_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}],
        "responses": {"200": {"description": "The file.", **_FILE}, "206": {"description": "Part of the file.", **_FILE}},
        "security": [{SCHEME_NAME: []}],
    }
    return result
