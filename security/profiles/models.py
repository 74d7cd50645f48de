from django.db import IntegrityError, models, transaction
from django.utils import timezone

from security.roles import Role

#: The colours a new profile cycles through when none is given (Jellyfin-style avatar tints).
AVATAR_COLORS = ("#3b82f6", "#ef4444", "#10b981", "#f59e0b", "#8b5cf6", "#ec4899", "#14b8a6", "#64748b")


#: The seed Owner's name and colour (``security/migrations/0004_seed_owner`` made it so too).
OWNER_NAME = "Owner"


class ProfileQuerySet(models.QuerySet):
    def owner(self):
        """The Owner profile, made again if it was removed by hand.

        Keys made without naming a profile and the localhost bypass belong to the Owner, so an
        engine must not be left without one; the seed migration's rule (make it where none
        exists) applies at any time. ``single_owner_profile`` keeps it one under a race.
        """
        owner = self.filter(is_owner=True).first()
        if owner is not None:
            return owner
        try:
            with transaction.atomic():
                return self.create(display_name=OWNER_NAME, role=Role.ADMINISTRATOR, is_owner=True, avatar_color=AVATAR_COLORS[0])
        except IntegrityError:  # made by a concurrent request a moment ago
            return self.get(is_owner=True)


class Profile(models.Model):
    """A person using the engine: a display name, an avatar colour and a role.

    The Owner profile is created by the migrations (``security/migrations/0004_seed_owner``); it
    always stays an Administrator. The rules that keep it (and the last Administrator) in place
    live in ``security.profiles.services``, not here, so every entry point applies them alike.
    The table keeps the name it had when profiles lived in the library app.
    """

    display_name = models.CharField(max_length=50)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CONSUMER)
    avatar_color = models.CharField(max_length=7, default=AVATAR_COLORS[0])
    is_owner = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        db_table = "library_profile"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["is_owner"], condition=models.Q(is_owner=True), name="single_owner_profile"),
        ]

    def __str__(self):
        return self.display_name
