"""The encrypted provider secret store: key sources, the API, the command, rotation, wrong keys."""

import io
import logging
import os
import stat

import keyring
import pytest
from cryptography.fernet import Fernet
from keyring.backends import chainer, fail, null
from django.core.management import call_command
from django.core.management.base import CommandError

from security import master_key, secret_store
from security.audit import Actor
from security.models import AuditEntry, ProviderSecret
# Imported up front: loading the ASGI app runs django.setup(), whose logging configuration
# would otherwise replace the handlers caplog installed, half-way through the first test.
import engine.asgi  # noqa: E402,F401
from tests.provider_fakes import MemoryKeyring, PlaintextKeyring, env_master_key, no_key_source  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "tmdb-secret-0123456789abcdef"
ACTOR = Actor("test setup")


def stored_ciphertext(name="tmdb"):
    return ProviderSecret.objects.get(name=name).ciphertext


# --- key sources --------------------------------------------------------------------------------

def test_a_secret_is_stored_only_as_ciphertext(env_master_key):
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    assert SECRET not in stored_ciphertext()
    assert Fernet(env_master_key).decrypt(stored_ciphertext().encode()).decode() == SECRET
    assert secret_store.read_secret("tmdb") == SECRET


def test_the_master_key_file_setting_is_used(no_key_source, settings, tmp_path):
    key = Fernet.generate_key().decode()
    (tmp_path / "mk").write_text(key + "\n")
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "MASTER_KEY_FILE": str(tmp_path / "mk")}
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    assert Fernet(key).decrypt(stored_ciphertext().encode()).decode() == SECRET


def test_a_systemd_credential_is_used(no_key_source, monkeypatch, tmp_path):
    key = Fernet.generate_key().decode()
    (tmp_path / "media-engine-master-key").write_text(key)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    assert Fernet(key).decrypt(stored_ciphertext().encode()).decode() == SECRET


def test_the_environment_key_wins_over_a_keyring(env_master_key):
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    assert memory.passwords == {}
    assert Fernet(env_master_key).decrypt(stored_ciphertext().encode()).decode() == SECRET


def test_a_real_keyring_backend_receives_a_generated_key(no_key_source):
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    stored = memory.passwords[("media-engine", "master-key")].strip()
    assert Fernet(stored).decrypt(stored_ciphertext().encode()).decode() == SECRET
    assert not list(no_key_source.iterdir())


def test_the_fail_keyring_does_not_count_and_without_a_fallback_storing_fails(no_key_source):
    with pytest.raises(master_key.MasterKeyUnavailable, match="MEDIA_ENGINE_MASTER_KEY"):
        secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    assert not ProviderSecret.objects.exists()


class EmptyChainer(chainer.ChainerBackend):
    """What keyring builds when no backend is usable: a chainer with nothing in it."""

    backends = []


@pytest.mark.parametrize("backend", [PlaintextKeyring, null.Keyring, fail.Keyring, EmptyChainer])
def test_keyrings_that_do_not_protect_secrets_do_not_count(no_key_source, backend):
    keyring.set_keyring(backend())
    assert master_key.keyring_backend() is None
    with pytest.raises(master_key.MasterKeyUnavailable):
        secret_store.set_secret("tmdb", SECRET, actor=ACTOR)


def test_a_chainer_with_a_real_backend_counts(no_key_source):
    class OneChainer(chainer.ChainerBackend):
        backends = [MemoryKeyring()]

    keyring.set_keyring(OneChainer())
    assert master_key.keyring_backend() is not None


def test_the_embedded_default_falls_back_to_a_private_key_file(no_key_source, settings, caplog):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "EMBEDDED_DATABASE": True}
    with caplog.at_level(logging.WARNING):
        secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    path = no_key_source / "master.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Fernet(path.read_text().strip()).decrypt(stored_ciphertext().encode()).decode() == SECRET
    assert "master key file" in caplog.text
    assert path.read_text().strip() not in caplog.text


def test_the_key_file_is_made_once_and_reused(no_key_source, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "ALLOW_KEYFILE": True}
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    first = (no_key_source / "master.key").read_text()
    secret_store.set_secret("musicbrainz", "other", actor=ACTOR)
    assert (no_key_source / "master.key").read_text() == first
    assert secret_store.read_secret("tmdb") == SECRET


def test_administrators_are_warned_about_a_key_file_on_system_status(no_key_source, settings, client_as, remote):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "ALLOW_KEYFILE": True}
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    warnings = client_as("Administrator").get("/system/status").json()["warnings"]
    assert any("master key" in warning and "master.key" in warning for warning in warnings)
    assert "warnings" not in remote.get("/system/status").json()


def test_a_malformed_environment_key_is_refused_with_advice(no_key_source, monkeypatch):
    monkeypatch.setenv("MEDIA_ENGINE_MASTER_KEY", "not-a-fernet-key")
    with pytest.raises(master_key.MasterKeyUnavailable, match="generate-key"):
        secret_store.set_secret("tmdb", SECRET, actor=ACTOR)


def test_the_source_is_logged_but_never_the_key(env_master_key, caplog):
    master_key._announced.clear()
    with caplog.at_level(logging.INFO):
        secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    assert "environment variable MEDIA_ENGINE_MASTER_KEY" in caplog.text
    assert env_master_key not in caplog.text


# --- wrong or missing key -----------------------------------------------------------------------

def test_a_wrong_master_key_makes_the_secret_unreadable_not_empty(env_master_key, monkeypatch, caplog, client_as):
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    monkeypatch.setenv("MEDIA_ENGINE_MASTER_KEY", Fernet.generate_key().decode())
    with caplog.at_level(logging.ERROR):
        with pytest.raises(secret_store.SecretUnreadable):
            secret_store.read_secret("tmdb")
    assert "unreadable" in caplog.text
    tmdb = {row["name"]: row for row in client_as("Curator").get("/settings/providers").json()}["tmdb"]
    assert tmdb["secret_configured"] is True
    assert tmdb["last_error"].startswith("secret unreadable")


def test_a_missing_master_key_makes_the_secret_unreadable(env_master_key, monkeypatch, caplog):
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    monkeypatch.delenv("MEDIA_ENGINE_MASTER_KEY")
    with caplog.at_level(logging.ERROR):
        with pytest.raises(secret_store.SecretUnreadable):
            secret_store.read_secret("tmdb")
    assert "no master key" in caplog.text


# --- rotation -----------------------------------------------------------------------------------

def test_rotation_in_the_keyring_re_encrypts_under_a_new_key_and_drops_the_old(no_key_source):
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    old_key = memory.passwords[("media-engine", "master-key")].strip()
    old_ciphertext = stored_ciphertext()
    out = io.StringIO()
    call_command("providersecret", "rotate-key", stdout=out)
    new_key = memory.passwords[("media-engine", "master-key")].strip()
    assert new_key != old_key and "," not in new_key
    assert stored_ciphertext() != old_ciphertext
    assert Fernet(new_key).decrypt(stored_ciphertext().encode()).decode() == SECRET
    assert secret_store.read_secret("tmdb") == SECRET
    assert "Re-encrypted 1 secret(s)" in out.getvalue()
    assert AuditEntry.objects.filter(action="secret.key_rotated").exists()


def test_rotation_of_the_key_file(no_key_source, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "ALLOW_KEYFILE": True}
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    old = (no_key_source / "master.key").read_text()
    secret_store.rotate_master_key(actor=ACTOR)
    new = (no_key_source / "master.key").read_text()
    assert new != old
    assert stat.S_IMODE(os.stat(no_key_source / "master.key").st_mode) == 0o600
    assert secret_store.read_secret("tmdb") == SECRET


def test_rotation_with_an_operator_key_takes_the_new_key_first(env_master_key, monkeypatch):
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    with pytest.raises(CommandError, match="NEW,OLD"):
        call_command("providersecret", "rotate-key", stdout=io.StringIO())
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("MEDIA_ENGINE_MASTER_KEY", f"{new_key},{env_master_key}")
    call_command("providersecret", "rotate-key", stdout=io.StringIO())
    monkeypatch.setenv("MEDIA_ENGINE_MASTER_KEY", new_key)
    assert secret_store.read_secret("tmdb") == SECRET


# --- the API ------------------------------------------------------------------------------------

def test_get_shows_the_mask_or_null(client_as, env_master_key):
    admin = client_as("Administrator")
    assert admin.get("/admin/providers/tmdb/secret").json() == {"configured": False, "value": None}
    assert admin.put("/admin/providers/tmdb/secret", json={"value": SECRET}).status_code == 200
    response = admin.get("/admin/providers/tmdb/secret")
    assert response.json() == {"configured": True, "value": "********"}
    assert response.headers["Cache-Control"] == "no-store"
    assert SECRET not in response.text


def test_put_stores_and_audits_and_delete_removes(client_as, env_master_key):
    admin = client_as("Administrator")
    admin.put("/admin/providers/tmdb/secret", json={"value": SECRET})
    assert secret_store.read_secret("tmdb") == SECRET
    assert admin.delete("/admin/providers/tmdb/secret").json() == {"configured": False, "value": None}
    assert not ProviderSecret.objects.exists()
    actions = list(AuditEntry.objects.filter(target="provider tmdb").values_list("action", flat=True))
    assert actions == ["secret.removed", "secret.set"]
    assert not any(SECRET in entry.target for entry in AuditEntry.objects.all())


@pytest.mark.parametrize("value", ["", "   ", "\t\n", "********", " ******** "])
def test_put_refuses_empty_blank_and_masked_values(client_as, env_master_key, value):
    secret_store.set_secret("tmdb", SECRET, actor=ACTOR)
    response = client_as("Administrator").put("/admin/providers/tmdb/secret", json={"value": value})
    assert response.status_code == 400
    assert secret_store.read_secret("tmdb") == SECRET


@pytest.mark.parametrize("body", [{}, {"value": 123}, {"value": None}, {"value": SECRET, "extra": 1}])
def test_put_refuses_malformed_bodies_without_echoing_them(client_as, env_master_key, body):
    response = client_as("Administrator").put("/admin/providers/tmdb/secret", json=body)
    assert response.status_code == 400
    assert SECRET not in response.text
    assert not ProviderSecret.objects.exists()


def test_put_without_any_key_source_is_503_naming_the_settings(client_as, no_key_source):
    response = client_as("Administrator").put("/admin/providers/tmdb/secret", json={"value": SECRET})
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "master_key_unavailable"
    assert "MEDIA_ENGINE_MASTER_KEY" in body["detail"] and "MEDIA_ENGINE_ALLOW_KEYFILE" in body["detail"]
    assert not ProviderSecret.objects.exists()


@pytest.mark.parametrize("role", ["Curator", "Consumer"])
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_secrets_are_for_administrators_only(client_as, env_master_key, role, method):
    kwargs = {"json": {"value": SECRET}} if method == "put" else {}
    assert getattr(client_as(role), method)("/admin/providers/tmdb/secret", **kwargs).status_code == 403
    assert not ProviderSecret.objects.exists()


def test_secrets_need_a_caller(remote, env_master_key):
    assert remote.get("/admin/providers/tmdb/secret").status_code == 401


def test_unknown_provider_secret_is_404(client_as, env_master_key):
    assert client_as("Administrator").put("/admin/providers/imdb/secret", json={"value": SECRET}).status_code == 404


# --- the command --------------------------------------------------------------------------------

def test_the_command_reads_the_secret_from_stdin(env_master_key, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    out = io.StringIO()
    call_command("providersecret", "set", "tmdb", stdout=out)
    assert secret_store.read_secret("tmdb") == SECRET
    assert SECRET not in out.getvalue()
    assert AuditEntry.objects.get(action="secret.set").actor.startswith("manage.py")


def test_the_command_prompts_without_echo_on_a_terminal(env_master_key, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    prompts = []
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or SECRET)
    call_command("providersecret", "set", "tmdb", stdout=io.StringIO())
    assert prompts and secret_store.read_secret("tmdb") == SECRET


def test_the_command_takes_no_secret_from_argv(env_master_key):
    with pytest.raises(CommandError):
        call_command("providersecret", "set", "tmdb", SECRET)


def test_the_command_refuses_the_mask(env_master_key, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("********\n"))
    with pytest.raises(CommandError, match="masked"):
        call_command("providersecret", "set", "tmdb", stdout=io.StringIO())
