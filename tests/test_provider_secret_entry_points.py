"""Storing a provider secret does the same wherever it starts: the REST API or ``manage.py providersecret``.

A new key clears the provider's last error (an old "refused the key" must not stay on the status
page) and queues a fresh probe of that provider.
"""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from library.models import Provider
from security import secret_store
from tests.provider_fakes import env_master_key, no_key_source  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "tmdb-secret-0123456789abcdef"
OLD_ERROR = "TMDB refused the request (HTTP 401); check the API key."


def set_over_rest(client_as, monkeypatch):
    response = client_as("Administrator").put("/admin/providers/tmdb/secret", json={"value": SECRET})
    assert response.status_code == 200


def set_with_the_command(client_as, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    call_command("providersecret", "set", "tmdb", stdout=io.StringIO())


@pytest.mark.parametrize("store", [set_over_rest, set_with_the_command], ids=["rest", "command"])
def test_a_new_secret_clears_the_last_error_and_queues_a_probe(
    store, client_as, env_master_key, monkeypatch, django_capture_on_commit_callbacks
):
    Provider.objects.ensure_all().filter(name="tmdb").update(reachable=True, last_error=OLD_ERROR)
    with django_capture_on_commit_callbacks(execute=True):
        store(client_as, monkeypatch)
    assert secret_store.read_secret("tmdb") == SECRET
    assert Provider.objects.get(name="tmdb").last_error == ""
    probes = [row for row in DBTaskResult.objects.all() if row.task_path.endswith(".probe_providers")]
    assert [row.args_kwargs["args"] for row in probes] == [[["tmdb"]]]
