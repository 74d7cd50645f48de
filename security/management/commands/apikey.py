"""``manage.py apikey create|list|revoke``: key management from a shell on the server."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from engine.errors import DomainError
from security import services
from security.audit import Actor
from security.models import ApiKey
from security.profiles.selectors import profile_named
from security.roles import Role


def named_profile(text):
    try:
        return profile_named(text)
    except DomainError as error:
        raise CommandError(error.detail) from None


def future_date(text):
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--expires must be a date as YYYY-MM-DD, not {text!r}.") from None
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), datetime.timezone.utc)
    if moment <= timezone.now():
        raise CommandError("--expires must be in the future.")
    return moment


class Command(BaseCommand):
    help = "Create, list and revoke API keys."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it once")
        create.add_argument("--label", required=True)
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--expires", help="expiry date, YYYY-MM-DD (UTC midnight)")
        create.add_argument("--profile", help="the profile the key is for, by id or name (default: the Owner)")
        listing = actions.add_parser("list", help="list keys (never their secret)")
        listing.add_argument("--profile", help="only this profile's keys, by id or name")
        revoke = actions.add_parser("revoke", help="revoke one key by id, a profile's keys with --profile, or every key with --all")
        target = revoke.add_mutually_exclusive_group(required=True)
        target.add_argument("id", nargs="?", type=int)
        target.add_argument("--profile", help="every key of this profile, by id or name")
        target.add_argument("--all", action="store_true")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, label, role, expires, profile, **options):
        label = label.strip()
        if not label or len(label) > 100:
            raise CommandError("--label must be 1 to 100 characters.")
        expires_at = future_date(expires) if expires else None
        owner = named_profile(profile) if profile is not None else None
        api_key, plaintext = services.create_key(label=label, role=role, profile=owner, expires_at=expires_at, actor=Actor.command())
        self.stderr.write(
            f"Created key {api_key.id} '{api_key.label}' ({api_key.role}) for {api_key.profile.display_name}. It is shown once:"
        )
        self.stdout.write(plaintext)

    def handle_list(self, profile, **options):
        rows = [("ID", "LABEL", "ROLE", "PROFILE", "PREFIX", "CREATED", "LAST USED", "EXPIRES", "STATE")]
        listed = ApiKey.objects.select_related("profile")
        if profile is not None:
            listed = listed.filter(profile=named_profile(profile))
        for key in listed:
            state = "revoked" if key.revoked_at else ("active" if key.is_active() else "expired")
            rows.append((
                str(key.id), key.label, key.role, f"{key.profile.display_name} ({key.profile_id})", key.prefix,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "-",
                f"{key.expires_at:%Y-%m-%d}" if key.expires_at else "-", state,
            ))
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())

    def handle_revoke(self, id, all, profile, **options):
        if all:
            count = services.revoke_all(actor=Actor.command())
            self.stdout.write(f"Revoked {count} key(s).")
            return
        if profile is not None:
            owner = named_profile(profile)
            count = services.revoke_profile_keys(owner, actor=Actor.command())
            self.stdout.write(f"Revoked {count} key(s) of {owner.display_name}.")
            return
        try:
            api_key = ApiKey.objects.get(pk=id)
        except ApiKey.DoesNotExist:
            raise CommandError(f"No API key with id {id}.") from None
        if services.revoke_key(api_key, actor=Actor.command()):
            self.stdout.write(f"Revoked key {api_key.id} '{api_key.label}'.")
        else:
            self.stdout.write(f"Key {api_key.id} '{api_key.label}' was already revoked.")
