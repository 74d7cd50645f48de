"""The paths the security layer reasons about are the paths the engine serves.

``security/routes.py`` names them once; renaming a URL without it would silently move a route out
of its rate policy, open a path, or let a signed link open an API. Each name is held here against
the URL conf (and the hub's WebSocket routing).
"""

import pytest
from django.urls import resolve

from security import routes
from tests.hub_support import HubSocket, hub_layer  # noqa: F401  (fixture)
from tests.routes import concrete, routes as all_routes, shape


def test_the_open_paths_are_the_landing_page_and_the_health_probe():
    assert {resolve(path).url_name for path in routes.OPEN_PATHS} == {"landing", "system-status"}


def test_the_django_admin_prefix_is_the_django_admin():
    assert resolve(routes.DJANGO_ADMIN_PREFIX).view_name == "admin:index"
    assert resolve(routes.DJANGO_ADMIN_PREFIX + "login/").url_name == "django-admin-login"


def test_the_key_generation_path_creates_keys():
    match = resolve(routes.KEY_GENERATION_PATH)
    assert match.url_name == "api-key-list"
    assert "post" in match.func.view_class.http_method_names
    assert hasattr(match.func.view_class, "post")


def test_a_signed_link_path_is_the_stream_and_nothing_else():
    path = routes.stream_path(42)
    assert resolve(path).url_name == "stream"
    assert routes.STREAM_LINK_PATH.fullmatch(path).group(1) == "42"
    link = resolve(path + "/link")
    assert link.url_name == "stream-link"
    assert routes.STREAM_LINK_PATH.fullmatch(path + "/link") is None


def test_every_stream_route_lies_under_the_stream_prefix():
    streaming = [route for route in all_routes() if route.startswith("stream")]
    assert streaming, "no stream routes found"
    assert all(shape(route).startswith(routes.STREAM_PREFIX) for route in streaming)


def test_the_artwork_path_is_the_works_artwork_and_nothing_else():
    assert resolve("/library/works/42/artwork").url_name == "work-artwork"
    assert routes.ARTWORK_PATH.fullmatch("/library/works/42/artwork")
    assert routes.ARTWORK_PATH.fullmatch("/library/works/42") is None
    artwork_routes = [route for route in all_routes() if route.endswith("artwork")]
    artwork_paths = (routes.ARTWORK_PATH, routes.OPDS_ARTWORK_PATH)
    assert all(any(pattern.fullmatch(shape(route).replace("{}", "42")) for pattern in artwork_paths) for route in artwork_routes)


def test_the_catalogs_files_and_covers_are_the_stream_and_artwork_views_and_count_as_streaming():
    download, cover = resolve("/opds/stream/42"), resolve("/opds/works/42/artwork")
    assert (download.url_name, download.func) == ("opds-stream", resolve(routes.stream_path(42)).func)
    assert (cover.url_name, cover.func.view_class) == ("opds-work-artwork", resolve("/library/works/42/artwork").func.view_class)
    assert routes.OPDS_STREAM_PATH.fullmatch("/opds/stream/42") and routes.OPDS_ARTWORK_PATH.fullmatch("/opds/works/42/artwork")
    for path in ("/opds/stream/42", "/opds/works/42/artwork", "/library/works/42/artwork", "/stream/42"):
        assert routes.is_streaming_path(path), path
    for path in ("/opds/", "/opds/recent", "/opds/stream/42/x", "/kosync/users/auth"):
        assert not routes.is_streaming_path(path), path


def test_basic_authentication_prefixes_hold_the_catalog_and_the_sync_and_nothing_else():
    assert set(routes.BASIC_AUTH_PREFIXES) == {routes.OPDS_PREFIX, routes.KOSYNC_PREFIX}
    names = {resolve(concrete(route)).url_name for route in all_routes() if routes.reads_basic_auth(shape(route))}
    assert names and all(name.startswith(("opds-", "kosync-")) for name in names), names
    assert {"opds-root", "opds-stream", "opds-work-artwork", "kosync-auth", "kosync-update-progress"} <= names


def test_the_hub_routes_lie_under_the_hub_path():
    assert routes.HUB_PATH.startswith(routes.HUB_PREFIX)
    assert resolve(routes.HUB_PATH + "/negotiate").url_name == "hub-negotiate"
    assert resolve(routes.HUB_PATH + "/ticket").url_name == "hub-ticket"
    hub_routes = [route for route in all_routes() if shape(route).startswith(routes.HUB_PREFIX)]
    assert all(shape(route).startswith(routes.HUB_PATH + "/") for route in hub_routes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_layer")
async def test_the_websocket_routing_serves_the_hub_at_the_hub_path():
    # Anonymous and remote: the hub itself answers 401; any other path gets the router's 404.
    assert (await HubSocket(path=routes.HUB_PATH).connect()).status == 401
    assert (await HubSocket(path=routes.HUB_PATH + "/other").connect()).status == 404


def test_the_subsonic_prefix_is_the_opensubsonic_api_and_its_streaming_methods_exist():
    from library.subsonic.registry import METHODS

    for suffix in ("", ".view"):
        assert resolve(f"{routes.SUBSONIC_PREFIX}ping{suffix}").url_name == "subsonic"
        assert routes.subsonic_method(f"{routes.SUBSONIC_PREFIX}stream{suffix}") == "stream"
    assert routes.SUBSONIC_STREAMING_METHODS <= set(METHODS)
    assert [shape(route) for route in all_routes() if route.startswith("rest")] == [routes.SUBSONIC_PREFIX + "{}"]
