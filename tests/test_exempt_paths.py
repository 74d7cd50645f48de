"""The exempt prefixes (the Django admin, static files) exempt only what really lies under them.

A raw request target such as ``/static/../admin/api-keys`` starts with an exempt prefix but names
an API route; answered 404 or 302 instead of 401, it told an anonymous caller which paths exist.
Exemptions match the normalised path, and under ``/static/`` only real static files are served
without a key. These go over the wire: HTTP clients normalise such targets before sending them.
"""

import json
import subprocess

import pytest

from tests.servers import EngineServer, engine_environment, manage, require_binary
from tests.wire import exchange

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Without the bypass, a loopback client is anonymous like any other.
    env = engine_environment(tmp_path_factory.mktemp("data"), LOCALHOST_BYPASS="false")
    manage(env, "migrate", "--no-input")
    with EngineServer(env) as running:
        yield running


def raw_get(port, target):
    answer = exchange(port, "GET", target)
    return answer.status, answer.headers, answer.body


@pytest.mark.parametrize(
    "target",
    [
        "/static/../admin/api-keys",
        "/django-admin/../admin/api-keys",
        "/static/%2e%2e/admin/api-keys",
        "/django-admin/%2E%2E/admin/api-keys",
        "/static/admin/../../admin/api-keys",
        "/static//../admin/api-keys",
        "/django-admin/./../admin/api-keys",
        "/static/no-such-file.css",
        "/static/admin/",
        "/static/",
    ],
)
def test_a_path_outside_the_exempt_prefix_or_no_static_file_needs_a_key(server, target):
    status, headers, body = raw_get(server.port, target)
    assert status == 401, (target, status, body[:200])
    assert headers["www-authenticate"].startswith("ApiKey")
    assert json.loads(body)["code"] == "not_authenticated"


def test_a_real_static_file_is_served_without_a_key(server):
    status, headers, body = raw_get(server.port, "/static/admin/css/base.css")
    assert status == 200
    assert headers["content-type"].startswith("text/css")


def test_the_django_admin_login_stays_its_own(server):
    status, headers, body = raw_get(server.port, "/django-admin/login/")
    assert status == 200
    assert b"csrfmiddlewaretoken" in body


def test_curl_path_as_is_gets_401_for_a_dotted_target(server):
    curl = require_binary("curl")
    result = subprocess.run(
        [curl, "-s", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", f"{server.url}/static/../admin/api-keys"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.stdout == "401"
