from django.db import models
from django.utils import timezone

from security.roles import Role

#: The colours a new profile cycles through when none is given (Jellyfin-style avatar tints).
AVATAR_COLORS = ("#3b82f6", "#ef4444", "#10b981", "#f59e0b", "#8b5cf6", "#ec4899", "#14b8a6", "#64748b")


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

    class Meta:
        db_table = "library_profile"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["is_owner"], condition=models.Q(is_owner=True), name="single_owner_profile"),
        ]

    def __str__(self):
        return self.display_name
