"""Key lifecycle over the REST API: create, use, list, revoke, expire."""

from datetime import timedelta

import pytest
from django.utils import timezone

from security import key_use
from security.models import ApiKey, AuditEntry

KEYS = "/admin/api-keys"


@pytest.fixture
def admin(client_as):
    return client_as("Administrator")


def create(client, **body):
    return client.post(KEYS, json={"label": "Mobile app", "role": "Consumer", **body})


def test_created_key_is_returned_once_with_its_fields(admin):
    response = create(admin)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "label", "role", "profile_id", "prefix", "created_at", "created_by", "last_used_at", "expires_at", "revoked_at", "key",
    }
    assert body["key"].startswith(body["prefix"] + "_")
    assert body["role"] == "Consumer" and body["label"] == "Mobile app"
    assert body["created_by"].startswith("key mek_")
    assert response.headers["cache-control"] == "no-store"


def test_created_key_authenticates_with_its_role(admin, remote):
    key = create(admin, role="Curator").json()["key"]
    assert remote.get("/system/status", key=key).status_code == 200
    assert remote.get(KEYS, key=key).status_code == 403


def test_revoked_key_is_refused_on_the_next_request(admin, remote):
    created = create(admin, role="Administrator").json()
    assert remote.get(KEYS, key=created["key"]).status_code == 200
    response = admin.delete(f"{KEYS}/{created['id']}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    refused = remote.get(KEYS, key=created["key"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_credentials"


def test_revoking_one_key_leaves_the_others_working(admin, remote):
    first = create(admin, label="first").json()
    second = create(admin, label="second").json()
    admin.delete(f"{KEYS}/{first['id']}")
    assert remote.get("/library/works", key=first["key"]).status_code == 401
    works = remote.get("/library/works", key=second["key"])
    assert works.status_code == 200
    assert works.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_revocation_is_final_and_idempotent(admin):
    created = create(admin).json()
    first = admin.delete(f"{KEYS}/{created['id']}").json()["revoked_at"]
    second = admin.delete(f"{KEYS}/{created['id']}").json()["revoked_at"]
    assert first == second
    assert AuditEntry.objects.filter(action="api_key.revoked").count() == 1


def test_revoke_unknown_key_is_404(admin):
    response = admin.delete(f"{KEYS}/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_revoke_all_revokes_every_key_including_the_callers(admin, remote, make_key):
    _, other = make_key("Consumer")
    response = admin.post(f"{KEYS}/revoke-all")
    assert response.status_code == 200
    assert response.json()["revoked"] == ApiKey.objects.count()
    assert remote.get(KEYS, key=admin.key).status_code == 401
    assert remote.get("/system/status", key=other).status_code == 200
    assert not ApiKey.objects.active().exists()


def test_expired_key_is_refused(remote, make_key):
    api_key, plaintext = make_key("Administrator")
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert remote.get(KEYS, key=plaintext).status_code == 401


def test_key_with_future_expiry_works(admin, remote):
    expires = (timezone.now() + timedelta(days=1)).isoformat()
    created = create(admin, role="Administrator", expires_at=expires).json()
    assert created["expires_at"] is not None
    assert remote.get(KEYS, key=created["key"]).status_code == 200


def test_one_character_changed_key_is_refused_without_a_query(remote, make_key, django_assert_num_queries):
    _, plaintext = make_key("Administrator")
    position = 30
    changed = plaintext[:position] + ("B" if plaintext[position] != "B" else "C") + plaintext[position + 1 :]
    with django_assert_num_queries(0):
        response = remote.get(KEYS, key=changed)
    assert response.status_code == 401


def test_valid_key_costs_one_query_to_authenticate(remote, make_key, django_assert_max_num_queries):
    _, plaintext = make_key("Consumer")
    with django_assert_max_num_queries(1):
        assert remote.get("/system/status", key=plaintext).status_code == 200


def test_last_use_is_recorded_by_the_background_write(remote, make_key):
    api_key, plaintext = make_key("Consumer")
    remote.get("/system/status", key=plaintext)
    key_use.flush()  # what the server's writer thread does every MEDIA_ENGINE_KEY_USE_FLUSH seconds
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    remote.get("/system/status", key=plaintext)
    key_use.flush()
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > first


def test_list_shows_keys_without_secrets(admin):
    plaintext = create(admin).json()["key"]
    response = admin.get(KEYS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert "key" not in body["results"][0] and "digest" not in body["results"][0]
    assert plaintext not in response.text


@pytest.mark.parametrize("role", ["Consumer", "Curator"])
def test_key_management_is_for_administrators_only(client_as, role):
    client = client_as(role)
    assert client.get(KEYS).status_code == 403
    assert create(client).status_code == 403
    assert client.post(f"{KEYS}/revoke-all").status_code == 403
    assert client.get("/admin/audit").status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"label": "x", "role": "administrator"}, "role"),
        ({"label": "x", "role": "Owner"}, "role"),
        ({"label": "", "role": "Consumer"}, "label"),
        ({"label": "   ", "role": "Consumer"}, "label"),
        ({"label": "x" * 101, "role": "Consumer"}, "label"),
        ({"label": 12, "role": "Consumer", "extra": True}, "extra"),
        ({"role": "Consumer"}, "label"),
        ({"label": "x", "role": "Consumer", "expires_at": "yesterday"}, "expires_at"),
        ({"label": "x", "role": "Consumer", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"label": ["x"], "role": "Consumer"}, "label"),
    ],
)
def test_bad_creation_input_is_refused_and_changes_nothing(admin, body, field):
    before = ApiKey.objects.count()
    response = admin.post(KEYS, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert ApiKey.objects.count() == before


def test_label_is_trimmed(admin):
    assert create(admin, label="  Living room TV  ").json()["label"] == "Living room TV"


def test_creation_and_revocation_are_audited_with_actor_and_address(admin):
    created = create(admin).json()
    admin.delete(f"{KEYS}/{created['id']}")
    entries = admin.get("/admin/audit").json()["results"]
    revoked, made = entries[0], entries[1]
    assert revoked["action"] == "api_key.revoked" and made["action"] == "api_key.created"
    assert made["actor"].startswith("key mek_") and made["client_address"] == "203.0.113.10"
    assert created["prefix"] in made["target"]
    assert created["key"] not in str(entries)
