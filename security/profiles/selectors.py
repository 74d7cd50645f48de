"""Reads about profiles: finding the one a request or a command names."""

from engine.errors import BadInput, NotFound
from security.profiles.models import Profile


def profile_by_id(profile_id):
    """The profile with this id, or :class:`NotFound`."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise NotFound(f"No profile with id {profile_id}.", "profile_not_found")
    return profile


def profile_named(text):
    """The profile ``manage.py`` names: by id, or by its display name (ignoring case) when
    exactly one profile has it; :class:`NotFound` or :class:`BadInput` (ambiguous) otherwise."""
    text = text.strip()
    if (text.isascii() and text.isdigit()):
        return profile_by_id(int(text))
    found = list(Profile.objects.filter(display_name__iexact=text)[:2])
    if not found:
        raise NotFound(f"No profile named {text!r}.", "profile_not_found")
    if len(found) > 1:
        raise BadInput(f"Several profiles are named {text!r}; name it by id.", "ambiguous_profile")
    return found[0]
