"""MusicBrainz web service v2: recording search and release look-up.

MusicBrainz asks every client for a meaningful User-Agent (``Application/version ( contact )``)
and at most one request per second per client; :data:`GATE` enforces the second for every
process that shares the cache. Shapes (musicbrainz.org/doc/MusicBrainz_API): ``GET /recording?query=...&fmt=json`` →
``{"count", "offset", "recordings": [{"id", "score", "title", "artist-credit": [{"name",
"joinphrase", "artist": {...}}], "first-release-date", "releases": [{"id", "title", "date"}]}]}``;
``GET /release/{mbid}?fmt=json`` → ``{"id", "title", "date", ...}``. Over the limit it answers 503.
"""

import re

import engine
from library.providers.base import MalformedResponse, ProviderClient, RateGate

GATE = RateGate(interval=1.0, shared_as="providers:musicbrainz:next-request")
MIN_SCORE = 70
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def quote(text):
    return '"' + _LUCENE_SPECIAL.sub(r"\\\1", text) + '"'


def credit(artist_credit):
    if not isinstance(artist_credit, list):
        return ""
    return "".join(
        f"{part.get('name', '')}{part.get('joinphrase', '')}" for part in artist_credit if isinstance(part, dict)
    ).strip()


class MusicBrainzClient(ProviderClient):
    name = "musicbrainz"
    label = "MusicBrainz"

    def __init__(self, base_url, contact="", gate=GATE, **kwargs):
        self.contact = contact
        super().__init__(base_url, gate=gate, **kwargs)

    def default_headers(self):
        contact = f" ( {self.contact} )" if self.contact else ""
        return {"Accept": "application/json", "User-Agent": f"MediaEngine/{engine.__version__}{contact}"}

    def probe(self):
        self.get_json("recording", params={"query": "recording:probe", "limit": 1, "fmt": "json"})

    def search_recordings(self, title, artist=None, limit=5):
        query = f"recording:{quote(title)}" + (f" AND artist:{quote(artist)}" if artist else "")
        body = self.get_json("recording", params={"query": query, "limit": limit, "fmt": "json"}) or {}
        recordings = body.get("recordings")
        if not isinstance(recordings, list):
            raise MalformedResponse("MusicBrainz sent a search answer without recordings.")
        return [item for item in recordings if isinstance(item, dict) and "id" in item]

    def release(self, mbid):
        return self.get_json(f"release/{mbid}", params={"fmt": "json"})

    def lookup(self, title, artist=None):
        """``(values, confidence)`` for the best recording, or None below :data:`MIN_SCORE`."""
        recordings = self.search_recordings(title, artist)
        if not recordings:
            return None
        best = recordings[0]
        try:
            score = int(best.get("score", 0))
        except (TypeError, ValueError):
            raise MalformedResponse("MusicBrainz sent a recording with a malformed score.") from None
        if score < MIN_SCORE:
            return None
        values = {"musicbrainz_recording_id": str(best["id"])}
        if isinstance(best.get("title"), str) and best["title"].strip():
            values["title"] = best["title"]
        artists = credit(best.get("artist-credit"))
        if artists:
            values["artist"] = artists
        releases = [release for release in best.get("releases") or [] if isinstance(release, dict)]
        date = best.get("first-release-date") or ""
        if releases:
            release = releases[0]
            if isinstance(release.get("title"), str) and release["title"].strip():
                values["album"] = release["title"]
            values["musicbrainz_release_id"] = str(release.get("id", ""))
            if not date and release.get("id"):
                date = (self.release(release["id"]) or {}).get("date") or ""
        if isinstance(date, str) and (date[:4].isascii() and date[:4].isdigit()):
            values["year"] = int(date[:4])
        if not values.get("musicbrainz_release_id"):
            values.pop("musicbrainz_release_id", None)
        return values, round(0.9 * score / 100, 3)
