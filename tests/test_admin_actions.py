"""Django admin actions: each declares the permission it needs, and view-only staff can run none.

The cases come from the admin site's registry, so an action added later is covered (and must
declare its permission) without a new test. The browser suite checks the same for revocation in
Chromium against a real server.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from library.models import LibraryRoot, ScanJob
from security.models import ApiKey

#: The built-in action, guarded by the delete permission, which every engine admin refuses.
DJANGO_ACTIONS = {"delete_selected"}


def engine_actions():
    for model, model_admin in admin.site._registry.items():
        for function, name, _ in model_admin._get_base_actions():
            if name not in DJANGO_ACTIONS:
                yield pytest.param(model, model_admin, function, name, id=f"{model._meta.label}.{name}")


ACTIONS = list(engine_actions())


def test_the_registry_has_the_actions_this_suite_knows():
    assert {param.id for param in ACTIONS} >= {"security.ApiKey.revoke_selected", "library.LibraryRoot.scan_now"}


@pytest.mark.parametrize("model, model_admin, function, name", ACTIONS)
def test_every_action_declares_a_permission_beyond_viewing(model, model_admin, function, name):
    declared = getattr(function, "allowed_permissions", ())
    assert declared, f"{name} declares no permission: any staff user who may view {model._meta.verbose_name_plural} may run it"
    assert "view" not in declared


@pytest.fixture
def rows(db, make_key, tmp_path):
    """One object per model with an action: what a view-only user might try to act on."""
    key, _ = make_key("Consumer")
    folder = LibraryRoot.objects.create(path=str(tmp_path))
    return {ApiKey: key, LibraryRoot: folder}


def staff_client(client, permissions):
    user = get_user_model().objects.create_user("staff", password="a long test password", is_staff=True)
    for model, codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=model._meta.app_label, codename=codename))
    client.force_login(user)
    return client


def changelist(model):
    return f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/"


def state(model, row):
    """What the action would change: the key's revocation, the folder's scan jobs."""
    if model is ApiKey:
        return ApiKey.objects.get(pk=row.pk).revoked_at
    return ScanJob.objects.filter(folder=row).count()


@pytest.mark.parametrize("model, model_admin, function, name", ACTIONS)
def test_view_only_staff_is_not_offered_the_action_and_posting_it_is_403(client, rows, model, model_admin, function, name):
    viewer = staff_client(client, [(model, f"view_{model._meta.model_name}")])
    row = rows[model]
    page = viewer.get(changelist(model))
    assert page.status_code == 200
    assert f'value="{name}"' not in page.content.decode()
    before = state(model, row)
    refused = viewer.post(changelist(model), {"action": name, "index": 0, "_selected_action": [row.pk]})
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert state(model, row) == before


@pytest.mark.parametrize("model, model_admin, function, name", ACTIONS)
def test_staff_with_the_change_permission_runs_the_action(client, rows, model, model_admin, function, name):
    codenames = [f"view_{model._meta.model_name}", f"change_{model._meta.model_name}"]
    editor = staff_client(client, [(model, codename) for codename in codenames])
    row = rows[model]
    before = state(model, row)
    assert f'value="{name}"' in editor.get(changelist(model)).content.decode()
    done = editor.post(changelist(model), {"action": name, "index": 0, "_selected_action": [row.pk]})
    assert done.status_code == 302
    assert state(model, row) != before

