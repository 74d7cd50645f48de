"""Every URL requires a principal except the landing page and the health probe; unknown paths too."""

import pytest

from tests.routes import concrete, routes

OPEN = {"/", "/system/status"}
#: OpenSubsonic refuses in its own format, with HTTP 200 as its clients expect: error 10, no
#: credential (see tests/test_subsonic_authentication.py).
SUBSONIC = "/rest/"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
#: The health probe reads; it answers OPTIONS (DRF's description) and refuses every write method.
PROBE_STATUS = {"GET": 200, "HEAD": 200, "OPTIONS": 200, "POST": 405, "PUT": 405, "PATCH": 405, "DELETE": 405}


def api_routes():
    return sorted({concrete(route) for route in routes() if not route.startswith("django-admin/")})


def test_the_enumeration_finds_the_key_routes():
    assert "/admin/api-keys" in api_routes()
    assert "/system/status" in api_routes()
    assert "/" in api_routes()


@pytest.mark.parametrize("path", api_routes())
@pytest.mark.parametrize("method", METHODS)
def test_anonymous_remote_caller_gets_401_everywhere_but_the_probe(remote, path, method):
    response = remote.request(method, path)
    if path in OPEN:
        assert response.status_code == PROBE_STATUS[method], (method, response.status_code)
        if method not in ("GET", "HEAD", "OPTIONS"):
            assert response.json() == {"detail": f'Method "{method}" not allowed.', "code": "method_not_allowed"}
        return
    if path.startswith(SUBSONIC):
        assert response.status_code == 200, (method, path, response.status_code)
        if method != "HEAD":
            assert '<error code="10"' in response.text, response.text
        return
    assert response.status_code == 401, (method, path, response.status_code)
    assert "www-authenticate" in response.headers
    if method != "HEAD":
        assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize("path", ["/no/such/route", "/admin/api-keys/", "/.env", "/system/status/", "/index.html"])
def test_unknown_paths_are_401_not_404_for_anonymous_callers(remote, path):
    assert remote.get(path).status_code == 401


def test_unknown_paths_are_404_json_for_a_principal(client_as):
    response = client_as("Consumer").get("/no/such/route")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_django_admin_asks_for_its_own_staff_login(remote):
    response = remote.get("/django-admin/")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/django-admin/login/")


def test_django_admin_pages_do_not_accept_api_keys_as_staff(client_as):
    response = client_as("Administrator").get("/django-admin/security/apikey/")
    assert response.status_code == 302
