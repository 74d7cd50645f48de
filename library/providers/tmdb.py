"""The Movie Database (TMDB) API v3: search and details for films and shows.

Response shapes (developer.themoviedb.org/reference): ``GET /search/movie?query=&year=`` →
``{"page", "results": [{"id", "title", "release_date", "overview", ...}], "total_results"}``;
``/search/tv`` the same with ``name`` and ``first_air_date``; ``GET /movie/{id}`` and
``/tv/{id}`` add ``"genres": [{"id", "name"}]``. A bad key gets 401 with
``{"status_code": 7, "status_message": ..., "success": false}``; too many requests get 429.
"""

from library.search import fold
from library.providers.base import MalformedResponse, ProviderClient


class TmdbClient(ProviderClient):
    name = "tmdb"
    label = "TMDB"
    credential_params = ("api_key",)

    def __init__(self, base_url, api_key, **kwargs):
        super().__init__(base_url, **kwargs)
        # A v4 "API read access token" is a JWT and goes in the Authorization header; a v3 API
        # key can only travel as the api_key query parameter (security.redaction redacts it).
        self._bearer = api_key if api_key.count(".") == 2 else None
        self._params = {} if self._bearer else {"api_key": api_key}

    def _get(self, path, **params):
        headers = {"Authorization": f"Bearer {self._bearer}"} if self._bearer else None
        return self.get_json(path, params={**self._params, **params}, headers=headers)

    def probe(self):
        """A cheap authenticated call: proves the service answers and the key is accepted."""
        self._get("configuration")

    def search(self, title, year=None, show=False):
        params = {"query": title, "include_adult": "false"}
        if year:
            params["first_air_date_year" if show else "year"] = year
        body = self._get("search/tv" if show else "search/movie", **params) or {}
        results = body.get("results")
        if not isinstance(results, list):
            raise MalformedResponse("TMDB sent a search answer without results.")
        return [result for result in results if isinstance(result, dict) and "id" in result]

    def details(self, tmdb_id, show=False):
        return self._get(f"{'tv' if show else 'movie'}/{int(tmdb_id)}")

    def lookup(self, title, year=None, show=False):
        """``(values, confidence)`` for the best match, or None when nothing matches."""
        results = self.search(title, year, show)
        if not results:
            return None
        best = results[0]
        details = self.details(best["id"], show) or best
        name = details.get("name" if show else "title") or best.get("name" if show else "title")
        date = details.get("first_air_date" if show else "release_date") or ""
        values = {"tmdb_id": str(best["id"])}
        if isinstance(name, str) and name.strip():
            values["title"] = name
        if isinstance(date, str) and (date[:4].isascii() and date[:4].isdigit()):
            values["year"] = int(date[:4])
        overview = details.get("overview")
        if isinstance(overview, str) and overview.strip():
            values["description"] = overview
        genres = [genre.get("name") for genre in details.get("genres") or [] if isinstance(genre, dict)]
        if genres and all(isinstance(genre, str) for genre in genres):
            values["genre"] = ", ".join(genres)
        confidence = 0.6
        if fold(str(name or "")) == fold(title):
            confidence = 0.9 if (not year or values.get("year") == int(year)) else 0.75
        return values, confidence
