"""The Django admin login allows 10 failed logins per 15 minutes per client address, then 429."""

import re
import secrets

import pytest
from django.contrib.auth import get_user_model

from security.admin_login import FAILED_LOGINS
from tests.conftest import EngineClient
from tests.test_rate_limits import rate_clock  # noqa: F401  (stops the window clock)

LOGIN = "/django-admin/login/"


@pytest.fixture
def staff(db):
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_user("owner", password=password, is_staff=True, is_superuser=True)
    return password


def attempt(client, password, username="owner"):
    """A browser's login: fetch the form (and its CSRF cookie), then post the credentials."""
    form = client.get(LOGIN)
    assert form.status_code == 200
    token = re.search(r"csrftoken=([^;]+)", form.headers["set-cookie"]).group(1)
    return client.post(
        LOGIN,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/django-admin/"},
        headers={"Cookie": f"csrftoken={token}"},
    )


def fail(client, times):
    for _ in range(times):
        response = attempt(client, "wrong password")
        assert response.status_code == 200, response.text[:200]


def test_ten_failed_logins_are_answered_with_the_form(remote, staff):
    fail(remote, FAILED_LOGINS)


def test_the_eleventh_login_is_refused_even_with_the_right_password(remote, staff):
    fail(remote, FAILED_LOGINS)
    response = attempt(remote, staff)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["code"] == "rate_limited"
    assert "sessionid" not in response.headers.get("set-cookie", "")


def test_the_right_password_logs_in_below_the_limit(remote, staff):
    fail(remote, FAILED_LOGINS - 1)
    response = attempt(remote, staff)
    assert response.status_code == 302
    assert "sessionid" in response.headers["set-cookie"]


def test_successful_logins_do_not_use_up_the_allowance(remote, staff):
    for _ in range(FAILED_LOGINS + 2):
        assert attempt(remote, staff).status_code == 302
    fail(remote, FAILED_LOGINS)


def test_another_address_may_still_log_in(remote, staff):
    fail(remote, FAILED_LOGINS)
    assert attempt(remote, "wrong").status_code == 429
    assert attempt(EngineClient(peer="198.51.100.44"), staff).status_code == 302


def test_spoofed_forwarded_for_does_not_reset_the_count(remote, staff):
    fail(remote, FAILED_LOGINS)
    spoofing = EngineClient(peer=remote.peer)
    form = spoofing.get(LOGIN)
    token = re.search(r"csrftoken=([^;]+)", form.headers["set-cookie"]).group(1)
    response = spoofing.post(
        LOGIN,
        data={"username": "owner", "password": staff, "csrfmiddlewaretoken": token},
        headers={"Cookie": f"csrftoken={token}", "X-Forwarded-For": "192.0.2.200"},
    )
    assert response.status_code == 429


def test_unknown_usernames_count_as_failures(remote, staff):
    for n in range(FAILED_LOGINS):
        assert attempt(remote, "guess", username=f"user{n}").status_code == 200
    assert attempt(remote, staff).status_code == 429


def test_admin_logins_do_not_spend_the_api_quota(remote, staff, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "3/m"}
    fail(remote, 5)
    assert remote.get("/system/status").status_code == 200
