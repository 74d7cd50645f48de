"""Claim history, lock-claim and resolve through the real ASGI application."""

import pytest

from library.metadata.services import record_claims, resolve_work
from library.models import Claim, Provider, Work


@pytest.fixture
def work(db):
    work = Work.objects.create(kind="film", title="")
    record_claims(work, {"title": "Heat", "year": "1995"}, source="embedded", confidence=0.8)
    resolve_work(work)
    work.refresh_from_db()
    return work


def test_embedded_claims_resolve_into_the_canonical_columns(work):
    assert (work.title, work.year) == ("Heat", 1995)
    assert "heat" in work.search_text


@pytest.mark.parametrize("role", ["Administrator", "Curator", "Consumer"])
def test_every_role_reads_claim_history(client_as, work, role):
    response = client_as(role).get(f"/metadata/claims/{work.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert set(body["results"][0]) == {
        "id", "work_id", "field", "value", "source", "confidence", "locked", "claimed_by", "claimed_at"
    }
    assert body["results"][0]["work_id"] == work.pk


def test_claim_history_needs_a_caller(remote, work):
    assert remote.get(f"/metadata/claims/{work.pk}").status_code == 401


def test_claim_history_is_newest_first_and_filtered_by_field(client_as, work):
    curator = client_as("Curator")
    curator.post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "Heat (Director's Cut)"})
    results = curator.get(f"/metadata/claims/{work.pk}").json()["results"]
    assert results[0]["value"] == "Heat (Director's Cut)" and results[0]["locked"] is True
    titles = curator.get(f"/metadata/claims/{work.pk}?field=title").json()["results"]
    assert [claim["value"] for claim in titles] == ["Heat (Director's Cut)", "Heat"]


def test_claim_history_is_paginated(client_as, work):
    for number in range(5):
        record_claims(work, {"genre": f"Genre {number}"}, source="embedded")
    body = client_as("Consumer").get(f"/metadata/claims/{work.pk}?page_size=3").json()
    assert body["count"] == 7 and len(body["results"]) == 3 and body["next"]


def test_claim_history_of_an_unknown_work_is_404(client_as):
    response = client_as("Consumer").get("/metadata/claims/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_claim_history_refuses_an_unknown_field_filter(client_as, work):
    assert client_as("Consumer").get(f"/metadata/claims/{work.pk}?field=colour").status_code == 400


def test_lock_claim_records_a_locked_user_claim_and_updates_the_column(client_as, work):
    response = client_as("Curator").post("/metadata/lock-claim", json={"work_id": work.pk, "field": "year", "value": 1996})
    assert response.status_code == 201
    body = response.json()
    assert (body["source"], body["locked"], body["value"]) == ("user", True, "1996")
    # The Curator sees the role (tests/test_claims_privacy.py); the row keeps the key.
    assert body["claimed_by"] == "Curator"
    assert Claim.objects.get(source="user").claimed_by.startswith("key mek_")
    work.refresh_from_db()
    assert work.year == 1996


def test_a_locked_claim_survives_a_later_higher_weighted_claim(client_as, work):
    client_as("Curator").post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "Mine"})
    record_claims(work, {"title": "Heat"}, source="tmdb", confidence=1.0)
    record_claims(work, {"title": "Heat"}, source="musicbrainz", confidence=1.0)
    resolve_work(work)
    work.refresh_from_db()
    assert work.title == "Mine"


def test_lock_claim_of_a_field_outside_the_columns_goes_to_metadata(client_as, work):
    client_as("Administrator").post("/metadata/lock-claim", json={"work_id": work.pk, "field": "genre", "value": "Crime"})
    work.refresh_from_db()
    assert work.metadata["genre"] == "Crime"


def test_lock_claim_by_localhost_names_localhost(local, work):
    body = local.post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "Heat"}).json()
    assert body["claimed_by"] == "localhost"


def test_consumers_cannot_lock_claims(client_as, work):
    response = client_as("Consumer").post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "X"})
    assert response.status_code == 403
    assert not Claim.objects.filter(source="user").exists()


def test_lock_claim_for_an_unknown_work_is_404(client_as):
    response = client_as("Curator").post("/metadata/lock-claim", json={"work_id": 999999, "field": "title", "value": "X"})
    assert response.status_code == 404


@pytest.mark.parametrize("body", [
    {"field": "colour", "value": "red"},
    {"field": "year", "value": "nineteen ninety-six"},
    {"field": "year", "value": 1995.5},
    {"field": "year", "value": 0},
    {"field": "title", "value": "   "},
    {"field": "title", "value": ["a list"]},
    {"field": "title", "value": None},
    {"field": "title", "value": "x" * 501},
    {"field": "title", "value": "Heat", "locked": False},
])
def test_lock_claim_refuses_bad_input_and_changes_nothing(client_as, work, body):
    before = Claim.objects.count()
    response = client_as("Curator").post("/metadata/lock-claim", json={"work_id": work.pk, **body})
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}
    assert Claim.objects.count() == before
    work.refresh_from_db()
    assert (work.title, work.year) == ("Heat", 1995)


def test_lock_claim_refuses_an_unknown_field_with_its_own_code(client_as, work):
    response = client_as("Curator").post("/metadata/lock-claim", json={"work_id": work.pk, "field": "colour", "value": "x"})
    assert response.json()["code"] == "unknown_field"


def test_resolve_recomputes_after_a_provider_weight_change(client_as, work):
    record_claims(work, {"title": "Heat (1995)"}, source="tmdb", confidence=1.0)
    resolve_work(work)
    work.refresh_from_db()
    assert work.title == "Heat (1995)"
    Provider.objects.filter(name="tmdb").update(weight=0.5)
    response = client_as("Curator").post("/metadata/resolve", json={"work_id": work.pk})
    assert response.status_code == 200
    assert response.json()["changed"] == ["title"]
    assert response.json()["values"]["title"] == "Heat"
    work.refresh_from_db()
    assert work.title == "Heat"


def test_resolve_is_stable_when_repeated(client_as, work):
    curator = client_as("Curator")
    curator.post("/metadata/resolve", json={"work_id": work.pk})
    again = curator.post("/metadata/resolve", json={"work_id": work.pk, "field": "title"})
    assert again.status_code == 200 and again.json()["changed"] == []


def test_resolve_does_not_touch_fields_without_claims(client_as, work):
    Work.objects.filter(pk=work.pk).update(series="Set by hand")
    client_as("Curator").post("/metadata/resolve", json={"work_id": work.pk})
    work.refresh_from_db()
    assert work.series == "Set by hand"


@pytest.mark.parametrize("body,status", [
    ({"work_id": 999999}, 404),
    ({"work_id": "abc"}, 400),
    ({"work_id": 1, "field": "colour"}, 400),
    ({"work_id": 1, "fields": ["title"]}, 400),
])
def test_resolve_refuses_bad_input(client_as, work, body, status):
    if body.get("work_id") == 1:
        body = {**body, "work_id": work.pk}
    assert client_as("Curator").post("/metadata/resolve", json=body).status_code == status


def test_consumers_cannot_resolve(client_as, work):
    assert client_as("Consumer").post("/metadata/resolve", json={"work_id": work.pk}).status_code == 403


def test_claims_from_files_cannot_be_locked(work):
    from library.metadata.fields import InvalidClaim

    with pytest.raises(InvalidClaim):
        record_claims(work, {"title": "Pinned"}, source="embedded", locked=True)


def test_the_same_claim_twice_from_one_source_is_recorded_once(work):
    before = Claim.objects.count()
    record_claims(work, {"title": "Heat"}, source="embedded", confidence=0.8)
    assert Claim.objects.count() == before
