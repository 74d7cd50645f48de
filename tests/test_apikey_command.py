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


def test_create_names_its_profile_by_name_or_id_and_list_shows_it(db, make_profile):
    kid = make_profile("Kid")
    run("create", "--label", "tablet", "--role", "Consumer", "--profile", "kid")
    run("create", "--label", "phone", "--role", "Consumer", "--profile", str(kid.pk))
    run("create", "--label", "laptop", "--role", "Administrator")
    owners = dict(ApiKey.objects.values_list("label", "profile__display_name"))
    assert owners == {"tablet": "Kid", "phone": "Kid", "laptop": "Owner"}
    out, _ = run("list")
    header, *rows = out.splitlines()
    assert header.split()[:4] == ["ID", "LABEL", "ROLE", "PROFILE"]
    assert any(row.split()[1:4] == ["tablet", "Consumer", "Kid"] for row in rows)
    out, _ = run("list", "--profile", "Kid")
    assert "tablet" in out and "phone" in out and "laptop" not in out


@pytest.mark.parametrize("profile, message", [("Nobody", "No profile named 'Nobody'"), ("404", "No profile with id 404"), ("Twin", "Several profiles")])
def test_create_for_an_unknown_or_ambiguous_profile_creates_nothing(db, make_profile, profile, message):
    make_profile("Twin")
    make_profile("twin")
    with pytest.raises(CommandError, match=message):
        run("create", "--label", "x", "--role", "Consumer", "--profile", profile)
    assert not ApiKey.objects.exists()


def test_revoke_a_profiles_keys_together(db, make_profile):
    make_profile("Kid")
    run("create", "--label", "tablet", "--role", "Consumer", "--profile", "Kid")
    run("create", "--label", "phone", "--role", "Consumer", "--profile", "Kid")
    run("create", "--label", "laptop", "--role", "Administrator")
    out, _ = run("revoke", "--profile", "Kid")
    assert out.strip() == "Revoked 2 key(s) of Kid."
    assert set(ApiKey.objects.active().values_list("label", flat=True)) == {"laptop"}
    assert AuditEntry.objects.filter(action="api_key.revoked").count() == 2
