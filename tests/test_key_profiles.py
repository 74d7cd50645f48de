"""Every key belongs to a profile: created for one, listed and revoked by profile, and the caller's
profile known on every request without a second query. The key's own role stays the authority."""

import pytest
from asgiref.sync import sync_to_async

from security import services, tickets
from security.audit import Actor
from security.models import ApiKey, AuditEntry
from security.principal import Principal
from security.profiles.models import Profile
from tests.conftest import EngineClient
from tests.hub_support import HubSocket, hub_layer  # noqa: F401

KEYS = "/admin/api-keys"


@pytest.fixture
def admin(client_as):
    return client_as("Administrator")


def owner():
    return Profile.objects.get(is_owner=True)


def test_a_key_is_made_for_the_profile_named_and_shows_it(admin, make_profile):
    kid = make_profile("Kid")
    response = admin.post(KEYS, json={"label": "Tablet", "role": "Consumer", "profile_id": kid.pk})
    assert response.status_code == 201
    assert response.json()["profile_id"] == kid.pk
    assert ApiKey.objects.get(pk=response.json()["id"]).profile == kid
    listed = {key["label"]: key["profile_id"] for key in admin.get(KEYS).json()["results"]}
    assert listed["Tablet"] == kid.pk
    made = AuditEntry.objects.get(action="api_key.created", target__contains="Tablet")
    assert made.target.endswith(f"for profile {kid.pk} (Kid)")


def test_a_key_made_without_a_profile_belongs_to_the_owner(admin):
    response = admin.post(KEYS, json={"label": "Phone", "role": "Consumer"})
    assert response.status_code == 201
    assert response.json()["profile_id"] == owner().pk


@pytest.mark.parametrize("profile_id, status, code", [(987654, 404, "profile_not_found"), (0, 400, "invalid"), ("Kid", 400, "invalid"), (None, 400, "invalid")])
def test_a_key_for_a_profile_that_does_not_exist_is_refused_and_nothing_is_made(admin, profile_id, status, code):
    before = ApiKey.objects.count()
    response = admin.post(KEYS, json={"label": "Phone", "role": "Consumer", "profile_id": profile_id})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert ApiKey.objects.count() == before


def test_the_keys_role_not_the_profiles_decides(remote, make_key):
    _, consumer_of_the_owner = make_key("Consumer")
    me = remote.get("/me", key=consumer_of_the_owner).json()
    assert (me["role"], me["profile"]["is_owner"], me["profile"]["role"]) == ("Consumer", True, "Administrator")
    assert remote.get(KEYS, key=consumer_of_the_owner).status_code == 403


def test_me_names_the_callers_profile_and_key_without_its_secret(remote, make_key, make_profile):
    kid = make_profile("Kid")
    row, plaintext = make_key("Consumer", label="Tablet", profile=kid)
    response = remote.get("/me", key=plaintext)
    assert response.status_code == 200
    assert response.json() == {
        "role": "Consumer",
        "profile": {
            "id": kid.pk, "display_name": "Kid", "role": "Consumer", "avatar_color": kid.avatar_color,
            "is_owner": False, "created_at": kid.created_at.isoformat().replace("+00:00", "Z"),
        },
        "key": {"id": row.pk, "label": "Tablet", "prefix": row.prefix, "expires_at": None},
    }
    assert plaintext not in response.text


def test_the_localhost_administrator_is_the_owner(local):
    me = local.get("/me").json()
    assert (me["role"], me["profile"]["id"], me["key"]) == ("Administrator", owner().pk, None)


def test_knowing_the_callers_profile_costs_no_query_beyond_the_key_lookup(remote, make_key, make_profile, django_assert_num_queries):
    _, plaintext = make_key("Consumer", profile=make_profile("Kid"))
    remote.get("/me", key=plaintext)  # the first use records last_used_at
    with django_assert_num_queries(1):
        assert remote.get("/me", key=plaintext).json()["profile"]["display_name"] == "Kid"


def test_tickets_and_stream_links_carry_the_issuing_keys_profile(make_key, make_profile):
    from urllib.parse import parse_qs

    from security.principal import authenticate_stream_link, authenticate_ticket
    from security.request_facts import RequestFacts
    from security.stream_links import stream_link_signer

    kid = make_profile("Kid")
    row, _ = make_key("Consumer", profile=kid)
    issued = tickets.issue(Principal(role=row.role, key=row))
    facts = RequestFacts(peer="203.0.113.10", scheme="http", host="media.example.test", method="POST", path="/hubs/intercom/negotiate", headers={})
    assert authenticate_ticket(issued.ticket, facts).profile == kid
    url, _ = stream_link_signer.make(1, row.key_id)
    path, _, query = url.partition("?")
    assert authenticate_stream_link(1, parse_qs(query)).profile == kid


def test_a_profiles_keys_are_listed_alone(admin, make_key, make_profile):
    kid, other = make_profile("Kid"), make_profile("Other")
    mine = {make_key("Consumer", label=f"kid {n}", profile=kid)[0].pk for n in range(2)}
    make_key("Consumer", label="other", profile=other)
    response = admin.get(f"/profiles/{kid.pk}/keys")
    assert response.status_code == 200
    assert {key["id"] for key in response.json()["results"]} == mine
    assert admin.get("/profiles/987654/keys").json()["code"] == "profile_not_found"


def test_revoking_a_profiles_keys_ends_those_and_no_others(admin, remote, make_key, make_profile):
    kid = make_profile("Kid")
    doomed = [make_key("Consumer", label=f"kid {n}", profile=kid)[1] for n in range(2)]
    _, kept = make_key("Consumer", label="owner's phone")
    response = admin.post(f"/profiles/{kid.pk}/keys/revoke-all")
    assert response.json() == {"revoked": 2}
    for plaintext in doomed:
        assert remote.get("/me", key=plaintext).status_code == 401
    assert remote.get("/me", key=kept).status_code == 200
    assert admin.get("/me").status_code == 200
    revoked = AuditEntry.objects.filter(action="api_key.revoked")
    assert revoked.count() == 2 and {entry.actor for entry in revoked} == {admin_actor(admin)}
    assert admin.post(f"/profiles/{kid.pk}/keys/revoke-all").json() == {"revoked": 0}
    assert admin.post("/profiles/987654/keys/revoke-all").status_code == 404


def admin_actor(client):
    return f"key {ApiKey.objects.get(label='Administrator test key').prefix} (Administrator test key)"


def test_deleting_a_profile_revokes_its_keys_first(admin, remote, make_key, make_profile):
    kid = make_profile("Kid")
    row, plaintext = make_key("Consumer", profile=kid)
    assert admin.delete(f"/profiles/{kid.pk}").status_code == 204
    assert remote.get("/me", key=plaintext).status_code == 401
    assert not ApiKey.objects.filter(pk=row.pk).exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "target"))
    assert actions[-2:] == [("api_key.revoked", f"{row.prefix} ({row.label})"), ("profile.deleted", f"profile {kid.pk}: Kid (Consumer)")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_layer")
async def test_revoking_a_profiles_keys_over_http_closes_their_hub_connections(make_key, make_profile):
    kid = await sync_to_async(make_profile)("Kid")
    _, kids = await sync_to_async(make_key)("Consumer", profile=kid)
    _, owners = await sync_to_async(make_key)("Consumer")
    _, admin_key = await sync_to_async(make_key)("Administrator")
    doomed, survivor = HubSocket(key=kids), HubSocket(key=owners)
    for socket in (doomed, survivor):
        assert await socket.connect() is True
        await socket.handshake()
    response = await sync_to_async(EngineClient(key=admin_key).post)(f"/profiles/{kid.pk}/keys/revoke-all")
    assert response.json() == {"revoked": 1}
    close, _ = await doomed.expect_closed(timeout=2)
    assert close == {"type": 7, "error": "The API key was revoked."}
    assert await survivor.nothing_received()
    await survivor.disconnect()


def test_revoking_a_profiles_keys_is_for_administrators_only(client_as, make_profile):
    kid = make_profile("Kid")
    for role in ("Curator", "Consumer"):
        client = client_as(role)
        assert client.get(f"/profiles/{kid.pk}/keys").status_code == 403
        assert client.post(f"/profiles/{kid.pk}/keys/revoke-all").status_code == 403


def test_services_revoke_only_the_named_profiles_keys(make_key, make_profile):
    kid = make_profile("Kid")
    make_key("Consumer", profile=kid)
    make_key("Consumer")
    assert services.revoke_profile_keys(kid, actor=Actor("test")) == 1
    assert list(ApiKey.objects.active().values_list("profile__is_owner", flat=True)) == [True]
