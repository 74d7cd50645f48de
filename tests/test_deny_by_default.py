"""Every URL requires a principal except the health probe; unknown paths too."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

OPEN = {"/system/status"}
SAMPLE = {"int": "1", "str": "sample", "slug": "sample", "uuid": "00000000-0000-0000-0000-000000000001", "path": "a/b"}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def concrete(route):
    def value(match):
        converter = match.group(1) or "str"
        return SAMPLE.get(converter, "sample")

    return re.sub(r"<(?:(\w+):)?\w+>", value, route)


def every_route(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + concrete(route.lstrip("^").rstrip("$"))


def api_routes():
    return sorted({path for path in every_route() if not path.startswith("/django-admin/")})


def test_the_enumeration_finds_the_key_routes():
    assert "/admin/api-keys" in api_routes()
    assert "/system/status" in api_routes()


@pytest.mark.parametrize("path", api_routes())
@pytest.mark.parametrize("method", METHODS)
def test_anonymous_remote_caller_gets_401_everywhere_but_the_probe(remote, path, method):
    response = remote.request(method, path)
    if path in OPEN:
        assert response.status_code in (200, 405)
        return
    assert response.status_code == 401, (method, path, response.status_code)
    assert "www-authenticate" in response.headers
    if method != "HEAD":
        assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize("path", ["/", "/no/such/route", "/admin/api-keys/", "/.env", "/system/status/"])
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
