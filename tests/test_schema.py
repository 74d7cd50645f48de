"""The OpenAPI document: for Administrators, complete, with the X-Api-Key scheme and the error shape."""

import re

import pytest
from django.core.management import call_command

from tests.routes import routes, shape

JSON = {"Accept": "application/vnd.oai.openapi+json"}
#: Routes anyone may call (DESIGN.md): the landing page and the health probe.
OPEN = {"/", "/system/status"}


def schema_of(client):
    response = client.get("/schema/", headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


def api_routes():
    return sorted({shape(route) for route in routes() if not route.startswith(("django-admin/", "schema/"))})


@pytest.mark.parametrize("role", ["Consumer", "Curator"])
@pytest.mark.parametrize("path", ["/schema/", "/schema/docs/"])
def test_schema_is_for_administrators_only_and_refuses_in_json(client_as, role, path):
    response = client_as(role).get(path)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "You do not have permission to perform this action.", "code": "permission_denied"}


def test_schema_needs_a_key_from_another_machine(remote):
    assert remote.get("/schema/").status_code == 401
    assert remote.get("/schema/docs/").status_code == 401


def test_administrator_gets_the_schema_as_yaml_and_json(client_as):
    admin = client_as("Administrator")
    yaml = admin.get("/schema/")
    assert yaml.status_code == 200
    assert yaml.text.startswith("openapi: 3")
    assert schema_of(admin)["openapi"].startswith("3.")


def openapi_shape(path):
    """An OpenAPI path with its parameter names blanked: the schema calls ``pk`` ``id``."""
    return re.sub(r"\{\w+\}", "{}", path)


def test_every_route_of_the_resolver_is_in_the_schema(client_as):
    documented = {openapi_shape(path) for path in schema_of(client_as("Administrator"))["paths"]}
    missing = [route for route in api_routes() if route not in documented]
    assert not missing, f"routes without an OpenAPI description: {missing}"


def test_api_key_header_is_the_security_scheme_of_every_protected_operation(client_as):
    schema = schema_of(client_as("Administrator"))
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"ApiKeyAuth": []} in operation.get("security", schema.get("security", [])), (method, path)
            if path not in OPEN:
                assert {} not in operation.get("security", []), (method, path)


def test_errors_share_one_component_with_detail_and_code(client_as):
    schema = schema_of(client_as("Administrator"))
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/rest/"):
                # The documented exception: OpenSubsonic errors are subsonic-response envelopes.
                envelope = operation["responses"]["429"]["content"]["application/json"]["schema"]
                assert envelope["required"] == ["subsonic-response"], (method, path)
                assert "401" not in operation["responses"] and "403" not in operation["responses"], (method, path)
                continue
            if path.startswith("/kosync/"):
                # KOReader's sync numbers its errors: {code, message}, the engine's code as error.
                for status in ("401", "403", "429"):
                    body = operation["responses"][status]["content"]["application/json"]["schema"]
                    assert body == {"$ref": "#/components/schemas/KosyncError"}, (method, path, status)
                continue
            expected = ["429"] if path in OPEN else ["401", "403", "429"]
            for status in expected:
                body = operation["responses"][status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_request_bodies_are_described(client_as):
    schema = schema_of(client_as("Administrator"))
    create_key = schema["paths"]["/admin/api-keys"]["post"]
    body = create_key["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert {"label", "role"} <= set(component["properties"])
    assert "key" in schema["components"]["schemas"]["CreatedApiKey"]["properties"]


def test_docs_ui_is_served_without_a_cdn(local):
    page = local.get("/schema/docs/")
    assert page.status_code == 200
    assert "cdn." not in page.text and "unpkg" not in page.text
    scripts = re.findall(r'src="([^"]+)"', page.text)
    assert scripts, page.text
    for src in scripts:
        assert src.startswith("/static/"), src
        assert local.get(src).status_code == 200, src


def test_schema_generation_has_no_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")
