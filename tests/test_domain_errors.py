"""A rule a service enforces refuses with the same JSON error whichever door the request used.

Services raise one domain error (engine/errors.py); DRF views, plain views and the hub's
handshake each translate it through the same function, so a client sees the status, the
sentence and the machine code the service chose, and nothing is stored.
"""

import pytest
from asgiref.sync import sync_to_async

from security.models import ProviderSecret
from tests.hub_support import HubSocket, hub_layer  # noqa: F401  (fixture)


def test_a_drf_view_answers_a_selector_refusal(client_as):
    response = client_as("Consumer").get("/library/works?ordering=nonsense")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_ordering"
    assert body["detail"].startswith("Unknown ordering 'nonsense'")


def test_a_drf_view_answers_a_security_service_refusal_and_stores_nothing(local):
    response = local.put("/admin/providers/tmdb/secret", json={"value": "********"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The masked value cannot be stored as a secret; send the real secret.",
        "code": "invalid_secret",
    }
    assert not ProviderSecret.objects.exists()


def test_a_plain_view_answers_a_domain_error_as_json(client_as):
    response = client_as("Curator").post("/hubs/intercom/negotiate?negotiateVersion=abc")
    assert response.status_code == 400
    assert response.json() == {"detail": "negotiateVersion must be a whole number.", "code": "invalid"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_layer")
async def test_the_hub_handshake_answers_a_domain_error_as_json(make_key):
    _, curator = await sync_to_async(make_key)("Curator")
    refused = await HubSocket(key=curator, query={"id": "never-negotiated"}).connect()
    assert (refused.status, refused.body) == (404, {"detail": "No connection with this id.", "code": "not_found"})
