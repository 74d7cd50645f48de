"""The resolution rule on its own: locks, weights, sums, ties, history."""

from datetime import datetime, timedelta, timezone

from library.metadata.resolution import ClaimRecord, canonical_value, canonical_values

WEIGHTS = {"embedded": 1.0, "user": 2.0, "tmdb": 1.0, "musicbrainz": 1.5}
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def claim(value, source="embedded", confidence=1.0, locked=False, minutes=0, field="title", id=0):
    return ClaimRecord(field, value, source, confidence, locked, T0 + timedelta(minutes=minutes), id)


def test_a_single_claim_is_the_value():
    assert canonical_value([claim("Heat")], WEIGHTS) == "Heat"


def test_no_claims_give_no_value():
    assert canonical_value([], WEIGHTS) is None


def test_the_higher_weighted_value_wins_over_a_newer_one():
    claims = [claim("Heat", "musicbrainz", 1.0, minutes=0), claim("Heat (1995)", "tmdb", 1.0, minutes=5)]
    assert canonical_value(claims, WEIGHTS) == "Heat"


def test_confidence_scales_the_source_weight():
    claims = [claim("A", "user", 0.4), claim("B", "embedded", 0.9)]
    assert canonical_value(claims, WEIGHTS) == "B"


def test_equal_values_from_several_sources_add_up():
    claims = [claim("Heat", "embedded", 0.8), claim("Heat", "tmdb", 0.8), claim("Other", "musicbrainz", 1.0)]
    assert canonical_value(claims, WEIGHTS) == "Heat"


def test_values_differing_only_in_case_and_blanks_add_up_and_show_the_newest_spelling():
    claims = [claim("the  matrix", "embedded", 0.8, minutes=0), claim("The Matrix", "tmdb", 0.8, minutes=1),
              claim("Matrix", "musicbrainz", 1.0, minutes=2)]
    assert canonical_value(claims, WEIGHTS) == "The Matrix"


def test_a_tie_goes_to_the_most_recent_value():
    assert canonical_value([claim("Old", minutes=0), claim("New", minutes=1)], WEIGHTS) == "New"
    assert canonical_value([claim("New", minutes=1), claim("Old", minutes=0)], WEIGHTS) == "New"


def test_a_tie_at_the_same_moment_goes_to_the_later_claim():
    assert canonical_value([claim("First", id=1), claim("Second", id=2)], WEIGHTS) == "Second"


def test_a_floating_point_tie_is_still_a_tie():
    claims = [claim("Sum", "embedded", 0.1, minutes=0), claim("Sum", "tmdb", 0.2, minutes=0),
              claim("Single", "embedded", 0.3, minutes=1)]
    assert canonical_value(claims, WEIGHTS) == "Single"


def test_a_locked_user_claim_wins_over_any_weight():
    claims = [claim("Heat", "tmdb", 1.0, minutes=9), claim("Heat", "musicbrainz", 1.0, minutes=9),
              claim("My Title", "user", 0.1, locked=True, minutes=0)]
    assert canonical_value(claims, WEIGHTS) == "My Title"


def test_the_newest_locked_claim_wins():
    claims = [claim("First lock", "user", locked=True, minutes=0), claim("Second lock", "user", locked=True, minutes=1)]
    assert canonical_value(claims, WEIGHTS) == "Second lock"


def test_a_locked_claim_from_a_file_does_not_pin_the_value():
    claims = [claim("Crafted", "embedded", 1.0, locked=True, minutes=5), claim("Real", "user", 1.0, minutes=0)]
    assert canonical_value(claims, WEIGHTS) == "Real"


def test_a_locked_claim_from_a_provider_does_not_pin_the_value():
    claims = [claim("Provider", "tmdb", 0.1, locked=True), claim("File", "embedded", 1.0)]
    assert canonical_value(claims, WEIGHTS) == "File"


def test_sources_with_no_weight_take_no_part():
    weights = {**WEIGHTS, "tmdb": 0.0}
    assert canonical_value([claim("Ignored", "tmdb", 1.0, minutes=1), claim("Kept", "embedded", 0.1)], weights) == "Kept"
    assert canonical_value([claim("Unknown source", "somewhere")], WEIGHTS) is None


def test_history_of_unlocked_claims_keeps_counting_after_a_newer_value():
    claims = [claim("Heat", "embedded", 1.0, minutes=0), claim("Heat", "tmdb", 1.0, minutes=1),
              claim("Heat 2", "user", 0.5, minutes=2)]
    assert canonical_value(claims, WEIGHTS) == "Heat"


def test_values_are_resolved_per_field():
    claims = [claim("Heat", field="title"), claim("1995", field="year"), claim("1996", "tmdb", 0.5, field="year")]
    assert canonical_values(claims, WEIGHTS) == {"title": "Heat", "year": "1995"}
