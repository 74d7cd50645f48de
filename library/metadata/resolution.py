"""The one rule that turns a work's claims into its canonical values.

Pure: it sees plain claim records and a table of source weights, never the database, so the
rule is tested on its own and every caller (lock-claim, resolve, the scanner, provider look-ups)
gets the same answer.

For each field:
1. the newest *locked* claim wins — but only a person's (``user``) claim can be locked, so a
   crafted file or a provider answer cannot pin a value;
2. otherwise each distinct value scores the sum of ``confidence × weight(source)`` over its
   claims (the same value from several sources adds up) and the highest score wins;
3. equal scores go to the value claimed most recently.
Values compare after folding case and blanks, so ``"The Matrix"`` and ``"the  matrix"`` add up;
the winning group is shown in the spelling of its newest claim. Claims whose source weighs
nothing (weight ≤ 0 or unknown) take no part.
"""

from dataclasses import dataclass
from datetime import datetime

#: Claims people make (lock-claim); the only ones that can be locked.
USER_SOURCE = "user"
LOCKABLE_SOURCES = frozenset({USER_SOURCE})
#: Fixed weights; providers' weights come from their settings rows. A file's name (``filename``)
#: weighs half its tags (``embedded``): ``Heat.1995.mkv`` names the film unless the file says more.
FIXED_WEIGHTS = {"embedded": 1.0, "filename": 0.5, "user": 2.0}


@dataclass(frozen=True)
class ClaimRecord:
    field: str
    value: str
    source: str
    confidence: float
    locked: bool
    claimed_at: datetime
    id: int = 0

    @property
    def recency(self):
        return (self.claimed_at, self.id)

    @classmethod
    def of(cls, claim):
        return cls(
            field=claim.field, value=claim.value, source=claim.source, confidence=claim.confidence,
            locked=claim.locked, claimed_at=claim.claimed_at, id=claim.pk or 0,
        )


def value_key(value):
    return " ".join(str(value).split()).casefold()


def canonical_value(claims, weights):
    """The winning value among ``claims`` (all of one field), or None when none counts."""
    locked = [claim for claim in claims if claim.locked and claim.source in LOCKABLE_SOURCES]
    if locked:
        return max(locked, key=lambda claim: claim.recency).value

    scores, newest = {}, {}
    for claim in claims:
        weight = weights.get(claim.source, 0.0)
        if weight <= 0:
            continue
        confidence = min(max(float(claim.confidence), 0.0), 1.0)
        key = value_key(claim.value)
        scores[key] = scores.get(key, 0.0) + confidence * weight
        if key not in newest or claim.recency > newest[key].recency:
            newest[key] = claim
    if not scores:
        return None
    # Rounding keeps 0.1 + 0.2 and 0.3 a tie, decided by recency as the rule says.
    best = max(scores, key=lambda key: (round(scores[key], 9), newest[key].recency))
    return newest[best].value


def canonical_values(claims, weights):
    """``{field: value}`` for every field that has claims; None where no claim counts."""
    by_field = {}
    for claim in claims:
        by_field.setdefault(claim.field, []).append(claim)
    return {field: canonical_value(group, weights) for field, group in by_field.items()}
