"""The Django admin: create a key and see it once on the next page, list, revoke."""

import pytest
from django.contrib.auth import get_user_model

from security.models import ApiKey, AuditEntry
from security.profiles.models import Profile

ADD = "/django-admin/security/apikey/add/"
CHANGELIST = "/django-admin/security/apikey/"


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser("owner", "owner@example.test", "a long test password")
    client.force_login(user)
    return client


def add_key(staff, **fields):
    owner = Profile.objects.owner().pk
    return staff.post(ADD, {"label": "Living room TV", "role": "Consumer", "profile": owner, "expires_at_0": "", "expires_at_1": "", **fields})


def test_created_key_is_shown_once_on_the_following_page(staff):
    response = add_key(staff)
    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    plaintext = response.context["plaintext"]
    assert plaintext.startswith(api_key.prefix)
    assert response.content.decode().count(plaintext) == 1
    assert "no-store" in response["Cache-Control"]
    assert api_key.created_by == "user owner"


def test_the_key_never_reaches_a_cookie_message_or_later_page(staff):
    response = add_key(staff)
    plaintext = response.context["plaintext"]
    for cookie in response.cookies.values():
        assert plaintext not in cookie.value
    for page in (CHANGELIST, f"{CHANGELIST}{ApiKey.objects.get().pk}/change/", "/django-admin/admin/logentry/"):
        later = staff.get(page)
        assert plaintext not in later.content.decode()
    for cookie in staff.cookies.values():
        assert plaintext not in cookie.value


def test_change_page_shows_no_digest_and_no_editable_field(staff):
    add_key(staff)
    api_key = ApiKey.objects.get()
    page = staff.get(f"{CHANGELIST}{api_key.pk}/change/").content.decode()
    assert api_key.digest not in page
    assert 'name="label"' not in page and 'name="role"' not in page


def test_changelist_lists_label_role_prefix_and_state(staff):
    add_key(staff)
    page = staff.get(CHANGELIST).content.decode()
    api_key = ApiKey.objects.get()
    assert "Living room TV" in page and "Consumer" in page and api_key.prefix in page and "active" in page


def test_revoke_action_revokes_the_selected_keys_only(staff):
    add_key(staff, label="first")
    add_key(staff, label="second")
    first = ApiKey.objects.get(label="first")
    response = staff.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [first.pk]}, follow=True)
    assert response.status_code == 200
    assert ApiKey.objects.get(label="first").revoked_at is not None
    assert ApiKey.objects.get(label="second").revoked_at is None
    assert AuditEntry.objects.filter(action="api_key.revoked", actor="user owner").count() == 1


def test_keys_cannot_be_deleted_only_revoked(staff):
    add_key(staff)
    api_key = ApiKey.objects.get()
    assert staff.get(f"{CHANGELIST}{api_key.pk}/delete/").status_code == 403


def test_bad_role_in_the_admin_form_creates_nothing(staff):
    response = add_key(staff, role="Owner")
    assert response.status_code == 200
    assert not ApiKey.objects.exists()


def test_admin_renders_with_its_styles(staff):
    page = staff.get(CHANGELIST).content.decode()
    assert "/static/admin/css/base.css" in page


def test_the_add_form_names_the_profile_with_the_owner_chosen(staff, make_profile):
    kid = make_profile("Kid")
    page = staff.get(ADD).content.decode()
    owner = Profile.objects.owner()
    assert f'<option value="{owner.pk}" selected>Owner</option>' in page
    assert f'<option value="{kid.pk}">Kid</option>' in page
    response = add_key(staff, label="Kid's tablet", profile=kid.pk)
    assert response.status_code == 200
    assert ApiKey.objects.get(label="Kid's tablet").profile == kid
    changelist = staff.get(CHANGELIST).content.decode()
    assert "Kid&#x27;s tablet" in changelist and ">Kid<" in changelist


def test_the_add_form_refuses_a_missing_profile(staff):
    response = add_key(staff, profile="")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not ApiKey.objects.exists()
