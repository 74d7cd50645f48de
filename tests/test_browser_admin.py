"""The Django admin in a real Chromium against a real server: log in, make keys, revoke, log out.

Django's test client sends no ``Origin`` and no ``Referer``; a browser does (or sends
``Origin: null`` under a strict referrer policy), and the CSRF check judges them. Only a real
browser shows whether a person can use these pages.
"""

import pytest

from tests.browser import artifacts, browser, page, playwright_driver, step  # noqa: F401
from tests.live_engine import KEY_PATTERN, ROLES, api, create_staff_user, key_id, live_engine

pytestmark = pytest.mark.services

OWNER = ("owner", "owner's long test password")
VIEWER = ("viewer", "viewer's long test password")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with live_engine(tmp_path_factory.mktemp("browser-admin")) as server:
        create_staff_user(server, *OWNER, superuser=True)
        create_staff_user(server, *VIEWER, permissions=["security.view_apikey", "library.view_libraryroot"])
        yield server


def log_in(page, engine, user):
    page.goto(f"{engine.url}/django-admin/login/")
    page.fill("#id_username", user[0])
    page.fill("#id_password", user[1])
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#site-name").count() == 1, page.content()[:500]
    assert page.locator("#user-tools").inner_text().upper().startswith(f"WELCOME, {user[0].upper()}")


def add_key(page, engine, label, role):
    page.goto(f"{engine.url}/django-admin/security/apikey/add/")
    page.fill("#id_label", label)
    page.select_option("#id_role", role)
    page.click("input[name=_save]")
    page.wait_for_load_state()
    return page.locator("#api-key-plaintext").inner_text().strip()


def changelist_row(page, label):
    return page.locator("#result_list tbody tr", has_text=label)


def test_staff_creates_a_key_of_each_role_sees_it_once_revokes_one_and_logs_out(engine, page, artifacts):
    with step(page, artifacts, "log in"):
        log_in(page, engine, OWNER)

    created = {}
    for role in ROLES:
        label = f"Browser {role}"
        with step(page, artifacts, f"create a {role} key"):
            plaintext = add_key(page, engine, label, role)
            assert KEY_PATTERN.fullmatch(plaintext), plaintext
            assert page.content().count(plaintext) == 1
            created[role] = plaintext
        with step(page, artifacts, f"the {role} key works and has its role"):
            assert api(engine, "GET", "/library/works", key=plaintext).status_code == 200
            expected = 200 if role == "Administrator" else 403
            assert api(engine, "GET", "/admin/api-keys", key=plaintext).status_code == expected
        with step(page, artifacts, f"the {role} key is not shown again on a reload"):
            page.reload()
            page.wait_for_load_state()
            assert plaintext not in page.content()
        with step(page, artifacts, f"the {role} key is absent from the list"):
            page.goto(f"{engine.url}/django-admin/security/apikey/")
            assert changelist_row(page, label).count() == 1
            assert plaintext not in page.content()

    with step(page, artifacts, "revoke the Consumer key"):
        changelist_row(page, "Browser Consumer").locator("input.action-select").check()
        page.select_option("select[name=action]", "revoke_selected")
        page.click("button[name=index]")
        page.wait_for_load_state()
        assert "Revoked 1 API key(s)." in page.locator("ul.messagelist").inner_text()
        assert changelist_row(page, "Browser Consumer").locator("td.field-state").inner_text() == "revoked"
        assert api(engine, "GET", "/library/works", key=created["Consumer"]).status_code == 401
        assert api(engine, "GET", "/library/works", key=created["Curator"]).status_code == 200

    with step(page, artifacts, "log out"):
        page.click("#logout-form button")
        page.wait_for_load_state()
        assert "Logged out" in page.content()
        page.goto(f"{engine.url}/django-admin/security/apikey/")
        assert "/django-admin/login/" in page.url


def test_view_only_staff_sees_keys_but_cannot_revoke_them(engine, page, artifacts):
    target = "Viewer's target"
    plaintext = api(engine, "POST", "/admin/api-keys", json={"label": target, "role": "Consumer"}, expect=201).json()["key"]
    with step(page, artifacts, "log in as view-only staff"):
        log_in(page, engine, VIEWER)
    with step(page, artifacts, "the list shows the key and offers no revoke action"):
        page.goto(f"{engine.url}/django-admin/security/apikey/")
        assert changelist_row(page, target).count() == 1
        offered = page.locator("select[name=action] option").evaluate_all("options => options.map(o => o.value)")
        assert "revoke_selected" not in offered
    with step(page, artifacts, "posting the revoke action anyway is refused"):
        response = page.evaluate(
            """async ([url, pk]) => {
                const form = new FormData();
                form.append("csrfmiddlewaretoken", document.cookie.match(/csrftoken=([^;]+)/)[1]);
                form.append("action", "revoke_selected");
                form.append("index", "0");
                form.append("_selected_action", pk);
                const answer = await fetch(url, {method: "POST", body: form, redirect: "manual"});
                return answer.status;
            }""",
            [f"{engine.url}/django-admin/security/apikey/", str(key_id(engine, plaintext))],
        )
        assert response == 403
        assert api(engine, "GET", "/library/works", key=plaintext).status_code == 200

