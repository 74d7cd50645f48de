"""The landing page and the API docs (Swagger UI) in a real Chromium against a real server.

The browser runs on this machine, so it opens ``/`` and ``/schema/docs/`` as the local
Administrator (the localhost bypass); "Try it out" is then shown to send the key a person types
into the Authorize dialog, and to be judged by it.
"""

import pytest

import engine as engine_package
from tests.browser import artifacts, browser, page, playwright_driver, step  # noqa: F401
from tests.live_engine import live_engine

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with live_engine(tmp_path_factory.mktemp("browser-docs")) as server:
        yield server


def test_landing_page_shows_the_version_and_leads_to_the_docs_and_the_admin(engine, page, artifacts):
    with step(page, artifacts, "open the landing page"):
        page.goto(f"{engine.url}/")
        assert page.locator("h1").inner_text() == "Media Engine"
        assert page.locator("#version").inner_text() == f"Version {engine_package.__version__}"
        assert "X-Api-Key" in page.locator("#authentication").inner_text()
    with step(page, artifacts, "follow the link to the Django admin"):
        page.click("#django-admin")
        page.wait_for_load_state()
        assert page.url.startswith(f"{engine.url}/django-admin/login/")
        assert page.locator("#id_username").count() == 1
    with step(page, artifacts, "follow the link to the API docs"):
        page.go_back()
        page.click("#docs")
        page.wait_for_selector(".swagger-ui .info .title")
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("Media Engine API")


def try_it_out(page, operation_id):
    """Expand an operation, press "Try it out" and "Execute"; returns the network response."""
    block = page.locator(f"#operations-{operation_id}")
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    with page.expect_response(lambda response: response.request.method == "GET" and "/schema/" not in response.url) as sent:
        block.locator("button.execute").click()
    block.locator(".live-responses-table tbody .response-col_status").first.wait_for()
    return sent.value, block.locator(".live-responses-table tbody .response-col_status").first.inner_text().strip()


def test_swagger_try_it_out_sends_the_authorized_key(engine, page, artifacts):
    consumer = engine.keys["Consumer"]
    with step(page, artifacts, "open the API docs"):
        page.goto(f"{engine.url}/schema/docs/")
        page.wait_for_selector("#operations-library-library_works_list")
    with step(page, artifacts, "authorize with a Consumer key"):
        page.click(".swagger-ui .auth-wrapper button.authorize")
        dialog = page.locator(".dialog-ux")
        dialog.locator("input").first.fill(consumer)
        dialog.locator("button.authorize").click()
        dialog.locator("button.btn-done").click()
    with step(page, artifacts, "try GET /library/works"):
        response, shown = try_it_out(page, "library-library_works_list")
        assert response.request.headers.get("x-api-key") == consumer
        assert (response.status, shown) == (200, "200")
        assert response.json()["count"] == 0
    with step(page, artifacts, "the key, not this machine's bypass, decides: GET /admin/api-keys is refused"):
        response, shown = try_it_out(page, "admin-admin_api_keys_list")
        assert response.request.headers.get("x-api-key") == consumer
        assert (response.status, shown) == (403, "403")
