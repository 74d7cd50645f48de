"""No parameter of any route, however out of range, and no body, however deeply nested, is a 500.

``GET /library/works?folder=99999999999999999999`` was a 500 (OverflowError: SQLite holds 64
bits), ``?folder=²`` another (``str.isdigit`` says yes, ``int`` says no), and 5,000 nested ``[``
a 500 (RecursionError) on every JSON route. The operations and their parameters come from the
OpenAPI document the engine serves, which ``tests/test_schema.py`` holds to the URL conf, so a
route or parameter added later is covered without touching this file. Every answer must be a
JSON error below 500, and nothing may be logged as a server error.
"""

import logging

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import EngineClient

INT64_MAX = 2**63 - 1
#: Integers a 64-bit column cannot hold, digits ``int`` refuses, and numbers written as floats.
out_of_range = st.one_of(
    st.integers(min_value=INT64_MAX + 1, max_value=10**40).map(str),
    st.integers(min_value=-(10**40), max_value=-INT64_MAX - 2).map(str),
    st.sampled_from(["99999999999999999999", "18446744073709551616", "-9223372036854775809", "²", "١٢٣", "1e400",
                     "NaN", "-0", "0x10", " 7", "7 ", "+7", "1_000", "9" * 400]),
)
#: Bodies nested deeper than any parser's stack, and deep enough to trouble what comes after it.
deep_bodies = st.sampled_from([
    b"[" * 5000, b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b"[{" * 3000,
    b"[" * 900 + b"]" * 900, b'{"label":' + b"[" * 950 + b"]" * 950 + b"}",
])
fixture_ok = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=8, derandomize=True)


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def parameter_cases():
    for path, method, operation in operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("path", "query", "header"):
                yield pytest.param(path, method, parameter["in"], parameter["name"], id=f"{method} {path} {parameter['name']}")


def body_cases():
    for path, method, operation in operations():
        if "requestBody" in operation:
            yield pytest.param(path, method, id=f"{method} {path}")


def concrete(path, name=None, value=None):
    """The operation's path with ``name`` set to ``value`` and every other parameter to 1."""
    for part in path.split("{")[1:]:
        parameter = part.split("}")[0]
        path = path.replace("{" + parameter + "}", value if parameter == name else "1")
    return path


def assert_a_json_refusal_or_an_answer(response, caplog):
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400 and response.request.method != "HEAD":
        body = response.json()
        assert body["detail"] and body["code"]
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not logged, [record.getMessage() for record in logged]


@pytest.fixture
def administrator(make_key):
    return EngineClient(key=make_key("Administrator")[1])


def test_the_cases_cover_the_routes_that_take_parameters_and_bodies():
    cases = {param.id for param in parameter_cases()}
    assert "GET /library/works folder" in cases and "POST /hubs/intercom/negotiate negotiateVersion" in cases
    assert "POST /admin/api-keys" in {param.id for param in body_cases()}


@pytest.mark.django_db
@pytest.mark.parametrize("path,method,where,name", list(parameter_cases()))
@fixture_ok
@given(value=out_of_range)
@example(value="99999999999999999999")
@example(value="²")
@example(value="-9223372036854775809")
def test_an_out_of_range_parameter_is_never_a_server_error(administrator, caplog, path, method, where, name, value):
    caplog.clear()
    if where == "path":
        response = administrator.request(method, concrete(path, name, value))
    elif where == "query":
        response = administrator.request(method, concrete(path), params={name: value})
    else:
        text = f"bytes={value}-" if name == "Range" else value
        response = administrator.request(method, concrete(path), headers={name: text.encode()})
    assert_a_json_refusal_or_an_answer(response, caplog)


@pytest.mark.django_db
@pytest.mark.parametrize("path,method", list(body_cases()))
@fixture_ok
@given(body=deep_bodies)
@example(body=b"[" * 5000)
def test_a_deeply_nested_body_is_a_400(administrator, caplog, path, method, body):
    caplog.clear()
    response = administrator.request(method, concrete(path), content=body, headers={"Content-Type": "application/json"})
    # A route naming an object (id 1, provider "1") may find none before it reads the body;
    # KOReader's registration is refused whatever it is sent (accounts are keys).
    if (path, method) == ("/kosync/users/create", "POST"):
        assert response.status_code == 403 and response.json()["error"] == "registration_disabled", response.text[:300]
    else:
        assert response.status_code == 400 or ("{" in path and response.status_code == 404), (response.status_code, response.text[:300])
    assert_a_json_refusal_or_an_answer(response, caplog)
