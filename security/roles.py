"""The three roles of the seed, spelled as clients see them, and their order."""

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "Administrator"
    CURATOR = "Curator"
    CONSUMER = "Consumer"

    @property
    def rank(self):
        return _RANK[self]

    def includes(self, other):
        """Whether this role may do everything ``other`` may (Administrator > Curator > Consumer)."""
        return self.rank >= Role(other).rank


_RANK = {Role.CONSUMER: 1, Role.CURATOR: 2, Role.ADMINISTRATOR: 3}
