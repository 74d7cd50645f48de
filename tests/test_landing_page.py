"""``GET /``: the version and where things are, HTML for browsers and JSON for programs.

Open to anyone, like ``/system/status``, and telling strangers no more than it does.
"""

import pytest

import engine

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
LINKS = {
    "docs": "/schema/docs/",
    "schema": "/schema/",
    "django_admin": "/django-admin/",
    "status": "/system/status",
    "hub": "/hubs/intercom",
}


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_programs_get_json_with_the_version_the_links_and_where_the_key_goes(remote, accept):
    response = remote.get("/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"name", "version", "links", "authentication"}
    assert body["name"] == "Media Engine"
    assert body["version"] == engine.__version__
    assert body["links"] == LINKS
    assert body["authentication"]["header"] == "X-Api-Key"
    assert "X-Api-Key header" in body["authentication"]["detail"]


def test_browsers_get_a_page_with_the_version_and_the_links(remote):
    response = remote.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"Version {engine.__version__}" in page
    assert 'href="/schema/docs/"' in page and 'href="/django-admin/"' in page
    assert "X-Api-Key" in page
    assert 'id="caller"' not in page


def test_the_local_administrator_is_told_who_it_is(local):
    body = local.get("/").json()
    assert body["caller"] == {"role": "Administrator", "via": "localhost"}
    assert "without a key, from this machine" in local.get("/", headers={"Accept": BROWSER_ACCEPT}).text


def test_a_key_is_recognised_but_its_label_and_prefix_are_not_shown(make_key, remote):
    api_key, plaintext = make_key("Consumer", label="Kitchen tablet")
    response = remote.get("/", key=plaintext)
    assert response.json()["caller"] == {"role": "Consumer", "via": "key"}
    assert "Kitchen tablet" not in response.text and api_key.prefix not in response.text


def test_a_bad_key_is_no_caller_on_the_open_page(remote):
    response = remote.get("/", key="mek_000000000000_" + "0" * 43)
    assert response.status_code == 200
    assert "caller" not in response.json()


def test_head_is_answered_and_post_is_405(remote):
    assert remote.head("/").status_code == 200
    assert remote.post("/", json={}).status_code == 405


def test_the_format_is_chosen_by_accept_alone(remote):
    response = remote.get("/?format=html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
