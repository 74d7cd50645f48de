"""Browsing works: every role may list and search; only Administrators see server paths."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from library.models import Work

from tests.background_tasks import run_pending_tasks
from tests.media_samples import write_epub, write_mp3


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


@pytest.fixture
def library(local, tmp_path):
    music, books = tmp_path / "music", tmp_path / "books"
    music.mkdir()
    books.mkdir()
    write_mp3(music / "1.mp3", title="Crazy in Love", artist="Beyoncé", album="Dangerously in Love", year=2003, salt=1)
    write_mp3(music / "2.mp3", title="Jóga", artist="Björk", album="Homogenic", year=1997, salt=2)
    write_mp3(music / "3.mp3", title="Losing My Religion", artist="R.E.M.", album="Out of Time", year=1991, salt=3)
    write_epub(books / "dune.epub", title="Dune", author="Frank Herbert", date="1965", series="Dune Chronicles")
    ids = {}
    for name, path in (("music", music), ("books", books)):
        ids[name] = local.post("/settings/folders", json={"path": str(path)}).json()["id"]
        local.post("/ingestion/scan", json={"folder_id": ids[name]})
    run_pending_tasks()
    return ids


def titles(response):
    assert response.status_code == 200, response.json()
    return [work["title"] for work in response.json()["results"]]


def test_every_role_can_browse_the_paginated_list(client_as, library):
    for role in ("Consumer", "Curator", "Administrator"):
        page = client_as(role).get("/library/works?page_size=2").json()
        assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]


def test_anonymous_remote_callers_get_401(remote, library):
    assert remote.get("/library/works").status_code == 401


def test_search_ignores_case_and_accents(client_as, library):
    client = client_as("Consumer")
    assert titles(client.get("/library/works?q=BEYONCE")) == ["Crazy in Love"]
    assert titles(client.get("/library/works?q=bjork")) == ["Jóga"]
    assert titles(client.get("/library/works?q=joga")) == ["Jóga"]
    assert titles(client.get("/library/works?q=Björk homogénic")) == ["Jóga"]
    assert titles(client.get("/library/works?q=herbert")) == ["Dune"]
    assert titles(client.get("/library/works?q=chronicles")) == ["Dune"]
    assert titles(client.get("/library/works?q=r.e.m.")) == ["Losing My Religion"]
    assert titles(client.get("/library/works?q=nothing-like-this")) == []


def test_filter_by_kind_and_folder_and_ordering(client_as, library):
    client = client_as("Consumer")
    assert titles(client.get("/library/works?kind=book")) == ["Dune"]
    assert len(titles(client.get(f"/library/works?folder={library['music']}"))) == 3
    assert titles(client.get("/library/works?kind=music&ordering=-year")) == ["Crazy in Love", "Jóga", "Losing My Religion"]
    assert titles(client.get("/library/works?kind=music&ordering=year"))[0] == "Losing My Religion"


def test_bad_query_parameters_are_400(client_as, library):
    client = client_as("Consumer")
    for query in ("ordering=password", "kind=spaceship", "folder=abc", "ordering=assets__locations__raw_path"):
        response = client.get(f"/library/works?{query}")
        assert response.status_code == 400 and response.json()["code"], query


def test_work_detail_shows_assets_and_paths_only_to_administrators(client_as, library, tmp_path):
    consumer = client_as("Consumer")
    work_id = consumer.get("/library/works?q=dune").json()["results"][0]["id"]
    seen = consumer.get(f"/library/works/{work_id}").json()
    assert (seen["title"], seen["author"], seen["series"], seen["year"]) == ("Dune", "Frank Herbert", "Dune Chronicles", 1965)
    assert seen["metadata"]["language"] == "en"
    [asset] = seen["assets"]
    assert set(asset) == {"id", "role", "mime_type", "size", "duration", "streams"}
    assert asset["mime_type"] == "application/epub+zip"
    assert str(tmp_path) not in str(seen)
    assert str(tmp_path) not in client_as("Curator").get(f"/library/works/{work_id}").text
    admin = client_as("Administrator").get(f"/library/works/{work_id}").json()
    assert admin["assets"][0]["path"] == str(tmp_path / "books" / "dune.epub")


def test_unknown_work_is_404(client_as, library):
    response = client_as("Consumer").get("/library/works/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("folder", [str(2**63), "9" * 20, "9" * 30, "²", "١", "١٢", "-1", "1.0"])
def test_a_folder_filter_that_is_no_folder_id_is_400(client_as, folder):
    response = client_as("Consumer").get("/library/works", params={"folder": folder})
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "folder must be a folder id.", "code": "invalid_folder"}


def test_a_page_shows_the_same_works_as_the_detail_view(client_as, library):
    client = client_as("Consumer")
    listed = client.get("/library/works").json()["results"]
    assert [work["title"] for work in listed] == ["Crazy in Love", "Dune", "Jóga", "Losing My Religion"]
    for work in listed:
        assert client.get(f"/library/works/{work['id']}").json() == work


def totals(client):
    return {
        query: client.get(f"/library/works?{query}").json()["count"]
        for query in ("", "kind=music", "kind=book", "kind=film", "page_size=1", "q=love")
    }


def test_the_total_follows_scans_deletions_and_kinds_without_counting_the_table(
    client_as, local, library
):
    """Totals come from the triggers' per-kind counts, which must match the table itself."""
    client = client_as("Consumer")
    assert totals(client) == {"": 4, "kind=music": 3, "kind=book": 1, "kind=film": 0, "page_size=1": 4, "q=love": 1}
    with CaptureQueriesContext(connection) as captured:
        client.get("/library/works")
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)

    Work.objects.filter(title="Dune").update(kind="film")
    assert totals(client)["kind=film"] == 1 and totals(client)["kind=book"] == 0
    assert local.delete(f"/settings/folders/{library['music']}").status_code == 204
    assert totals(client) == {"": 1, "kind=music": 0, "kind=book": 0, "kind=film": 1, "page_size=1": 1, "q=love": 0}
    assert Work.objects.count() == 1


def test_the_django_admin_searches_works_as_the_api_does(client, library):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("owner", "owner@example.test", "a long test password"))
    page = client.get("/django-admin/library/work/", {"q": "Björk homogénic"})
    assert page.status_code == 200
    assert "Jóga" in page.content.decode() and "Crazy in Love" not in page.content.decode()
