"""``manage.py apikey``: the same services from a shell on the server."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from security import keys
from security.models import ApiKey, AuditEntry


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_digest(db):
    out, err = run("create", "--label", "Media manager integration", "--role", "Curator")
    plaintext = out.strip()
    parsed = keys.parse(plaintext)
    api_key = ApiKey.objects.get(key_id=parsed.key_id)
    assert api_key.role == "Curator" and api_key.label == "Media manager integration"
    assert api_key.digest == keys.digest(plaintext) and plaintext not in err
    assert AuditEntry.objects.get(action="api_key.created").actor.startswith("manage.py (")


def test_create_with_expiry(db):
    run("create", "--label", "temp", "--role", "Consumer", "--expires", "2999-01-01")
    assert ApiKey.objects.get().expires_at.year == 2999


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--label", "x", "--role", "administrator"),
        ("create", "--label", "x", "--role", "Consumer", "--expires", "2001-01-01"),
        ("create", "--label", "x", "--role", "Consumer", "--expires", "soon"),
        ("create", "--label", "   ", "--role", "Consumer"),
        ("create", "--label", "y" * 101, "--role", "Consumer"),
    ],
)
def test_bad_arguments_create_nothing(db, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiKey.objects.exists()


def test_list_shows_keys_without_their_secret(db):
    plaintext, _ = run("create", "--label", "phone", "--role", "Consumer")
    out, _ = run("list")
    assert "phone" in out and "Consumer" in out and "active" in out
    assert plaintext.strip() not in out


def test_revoke_one_and_all(db):
    run("create", "--label", "a", "--role", "Consumer")
    run("create", "--label", "b", "--role", "Consumer")
    first = ApiKey.objects.get(label="a")
    out, _ = run("revoke", str(first.pk))
    assert "Revoked" in out
    assert ApiKey.objects.get(label="a").revoked_at and not ApiKey.objects.get(label="b").revoked_at
    out, _ = run("revoke", "--all")
    assert "Revoked 1 key(s)." in out
    assert not ApiKey.objects.active().exists()


def test_revoke_unknown_id_fails_clearly(db):
    with pytest.raises(CommandError, match="No API key with id 42"):
        run("revoke", "42")
