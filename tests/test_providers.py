"""Provider clients, look-up tasks and provider settings, against a local fake TMDB/MusicBrainz."""

import httpx
import pytest

from library.metadata.services import record_claims, resolve_work
from library.models import Claim, Provider, Work
from library.providers import base, services, tasks
from library.providers.base import (
    MalformedResponse,
    ProviderRateLimited,
    ProviderRefused,
    ProviderUnreachable,
    RateGate,
)
from library.providers.musicbrainz import MusicBrainzClient
from library.providers.tmdb import TmdbClient
from security import secret_store
from security.audit import Actor
from tests.provider_fakes import FakeProvider, Reply, env_master_key, fake_provider, no_key_source, providers_at  # noqa: F401

TMDB_KEY = "0123456789abcdef0123456789abcdef"
MOVIE_SEARCH = {"page": 1, "total_pages": 1, "total_results": 1, "results": [
    {"id": 949, "title": "Heat", "original_title": "Heat", "release_date": "1995-12-15",
     "overview": "Obsessive master thief...", "genre_ids": [28, 80], "poster_path": "/heat.jpg"},
]}
MOVIE_DETAILS = {"id": 949, "title": "Heat", "release_date": "1995-12-15", "overview": "Obsessive master thief...",
                 "genres": [{"id": 28, "name": "Action"}, {"id": 80, "name": "Crime"}], "imdb_id": "tt0113277",
                 "homepage": "http://127.0.0.1:8000/admin"}
TMDB_401 = {"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.", "success": False}
RECORDING_SEARCH = {"created": "2026-01-01T00:00:00.000Z", "count": 1, "offset": 0, "recordings": [
    {"id": "a3a1d5b1-0000-4000-8000-000000000001", "score": 100, "title": "Come Together", "length": 259000,
     "artist-credit": [{"name": "The Beatles", "joinphrase": "", "artist": {"id": "b10bbbfc", "name": "The Beatles"}}],
     "first-release-date": "1969-09-26",
     "releases": [{"id": "d6010be3-0000-4000-8000-000000000002", "title": "Abbey Road", "date": "1969-09-26"}]},
]}


def tmdb(fake, **kwargs):
    return TmdbClient(fake.url + "/3", TMDB_KEY, **{"timeout": 2.0, "retries": 2, "backoff": 0.01, **kwargs})


def musicbrainz(fake, **kwargs):
    return MusicBrainzClient(fake.url + "/ws/2", contact="admin@example.test", gate=None,
                             **{"timeout": 2.0, "retries": 2, "backoff": 0.01, **kwargs})


# --- clients ------------------------------------------------------------------------------------

def test_tmdb_lookup_turns_search_and_details_into_values(fake_provider):
    fake_provider.route("/3/search/movie", Reply(body=MOVIE_SEARCH))
    fake_provider.route("/3/movie/949", Reply(body=MOVIE_DETAILS))
    values, confidence = tmdb(fake_provider).lookup("heat", 1995)
    assert values == {"tmdb_id": "949", "title": "Heat", "year": 1995,
                      "description": "Obsessive master thief...", "genre": "Action, Crime"}
    assert confidence == 0.9
    search = fake_provider.asked("/3/search/movie")[0]
    assert search["query"]["query"] == ["heat"] and search["query"]["year"] == ["1995"]
    assert search["query"]["api_key"] == [TMDB_KEY]


def test_tmdb_read_access_token_travels_in_the_authorization_header(fake_provider):
    fake_provider.route("/3/configuration", Reply(body={"images": {}}))
    token = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
    TmdbClient(fake_provider.url + "/3", token).probe()
    request = fake_provider.asked("/3/configuration")[0]
    assert request["headers"]["Authorization"] == f"Bearer {token}"
    assert "api_key" not in request["query"]


def test_tmdb_refusing_the_key_is_reported_at_once(fake_provider):
    fake_provider.route("/3/search/movie", Reply(401, TMDB_401))
    with pytest.raises(ProviderRefused, match="401"):
        tmdb(fake_provider).lookup("Heat")
    assert len(fake_provider.asked("/3/search/movie")) == 1


def test_a_provider_that_does_not_answer_in_time_is_unreachable(fake_provider):
    fake_provider.route("/3/search/movie", Reply(body=MOVIE_SEARCH, delay=1.0))
    with pytest.raises(ProviderUnreachable, match="did not answer"):
        tmdb(fake_provider, timeout=0.2, retries=1).lookup("Heat")
    assert len(fake_provider.asked("/3/search/movie")) == 2


def test_a_closed_port_is_unreachable():
    with pytest.raises(ProviderUnreachable):
        TmdbClient("http://127.0.0.1:9/3", TMDB_KEY, timeout=0.5, retries=0).probe()


@pytest.mark.parametrize("reply", [
    Reply(raw=b"<html>Bad gateway</html>"),
    Reply(raw=b'{"results": [ truncated'),
    Reply(body=["not", "an", "object"]),
    Reply(body={"page": 1}),
])
def test_malformed_answers_are_reported_not_crashed_on(fake_provider, reply):
    fake_provider.route("/3/search/movie", reply)
    with pytest.raises(MalformedResponse):
        tmdb(fake_provider).lookup("Heat")


def test_rate_limiting_is_retried_after_the_time_the_provider_asks(fake_provider):
    fake_provider.route("/3/search/movie", Reply(429, {"status_code": 25, "status_message": "Rate limit"},
                                                  headers={"Retry-After": "1"}), Reply(body=MOVIE_SEARCH))
    fake_provider.route("/3/movie/949", Reply(body=MOVIE_DETAILS))
    values, _ = tmdb(fake_provider).lookup("Heat")
    assert values["title"] == "Heat"
    assert len(fake_provider.asked("/3/search/movie")) == 2


def test_rate_limiting_that_persists_is_reported(fake_provider):
    fake_provider.route("/ws/2/recording", Reply(503, {"error": "Your requests are exceeding the allowable rate limit."}))
    with pytest.raises(ProviderRateLimited, match="503"):
        musicbrainz(fake_provider).lookup("Come Together")
    assert len(fake_provider.asked("/ws/2/recording")) == 3


def test_musicbrainz_lookup_sends_a_proper_user_agent_and_a_lucene_query(fake_provider):
    fake_provider.route("/ws/2/recording", Reply(body=RECORDING_SEARCH))
    values, confidence = musicbrainz(fake_provider).lookup('Come "Together"', "The Beatles")
    assert values == {"musicbrainz_recording_id": "a3a1d5b1-0000-4000-8000-000000000001", "title": "Come Together",
                      "artist": "The Beatles", "album": "Abbey Road",
                      "musicbrainz_release_id": "d6010be3-0000-4000-8000-000000000002", "year": 1969}
    assert confidence == 0.9
    request = fake_provider.asked("/ws/2/recording")[0]
    assert request["headers"]["User-Agent"].startswith("MediaEngine/")
    assert "( admin@example.test )" in request["headers"]["User-Agent"]
    assert request["query"]["query"] == ['recording:"Come \\"Together\\"" AND artist:"The Beatles"']
    assert request["query"]["fmt"] == ["json"]


def test_musicbrainz_weak_matches_are_ignored(fake_provider):
    weak = {**RECORDING_SEARCH, "recordings": [{**RECORDING_SEARCH["recordings"][0], "score": 40}]}
    fake_provider.route("/ws/2/recording", Reply(body=weak))
    assert musicbrainz(fake_provider).lookup("Come Together") is None


def test_the_musicbrainz_gate_spaces_requests_one_second_apart():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    gate = RateGate(1.0, clock=lambda: now[0], sleep=sleep)
    gate.wait()
    now[0] += 0.25
    gate.wait()
    gate.wait()
    assert slept == [0.75, 1.0]


def test_the_default_musicbrainz_client_shares_the_one_per_second_gate(fake_provider):
    client = MusicBrainzClient(fake_provider.url + "/ws/2")
    assert client.gate is not None and client.gate.interval >= 1.0


def test_a_redirect_to_another_local_address_is_not_followed(fake_provider):
    fake_provider.route("/3/search/movie", Reply(302, {}, headers={"Location": "http://127.0.0.2:1/latest/meta-data"}))
    with pytest.raises(base.ProviderError, match="non-public"):
        tmdb(fake_provider).lookup("Heat")


class OnlyTheFake(httpx.BaseTransport):
    """The network as a provider client sees it in these tests: the fake provider answers; a request
    to any other address is recorded and never sent (a test must not reach private addresses)."""

    def __init__(self, fake):
        self.allowed = httpx.URL(fake.url)
        self.inner = httpx.HTTPTransport()
        self.elsewhere = []

    def handle_request(self, request):
        if (request.url.scheme, request.url.host, request.url.port) == (self.allowed.scheme, self.allowed.host, self.allowed.port):
            return self.inner.handle_request(request)
        self.elsewhere.append(str(request.url))
        raise httpx.ConnectError("not contacted from the test suite", request=request)

    def close(self):
        self.inner.close()


NON_PUBLIC = "Refusing to follow a provider URL to a non-public address ({})."


@pytest.mark.parametrize("target, refusal", [
    ("http://169.254.169.254/latest/meta-data", NON_PUBLIC.format("169.254.169.254")),
    ("http://10.0.0.1/", NON_PUBLIC.format("10.0.0.1")),
    ("http://[::1]:8000/", NON_PUBLIC.format("::1")),
    ("http://localhost:8000/admin", NON_PUBLIC.format("localhost")),
    ("file:///etc/passwd", "Refusing a non-HTTP URL from a provider: file."),
])
def test_redirects_to_private_link_local_or_loopback_addresses_are_refused(fake_provider, target, refusal):
    fake_provider.route("/ws/2/recording", Reply(301, {}, headers={"Location": target}))
    network = OnlyTheFake(fake_provider)
    with pytest.raises(base.ProviderError) as raised:
        musicbrainz(fake_provider, transport=network).lookup("Come Together")
    # The refusal itself, not a failure to connect (ProviderUnreachable is a ProviderError too).
    assert type(raised.value) is base.ProviderError
    assert raised.value.detail == refusal
    assert network.elsewhere == []
    assert len(fake_provider.asked("/ws/2/recording")) == 1


def test_a_redirect_within_the_configured_service_is_followed(fake_provider):
    fake_provider.route("/3/search/movie", Reply(301, {}, headers={"Location": "/3/search/movie2?query=Heat"}))
    fake_provider.route("/3/search/movie2", Reply(body=MOVIE_SEARCH))
    fake_provider.route("/3/movie/949", Reply(body=MOVIE_DETAILS))
    assert tmdb(fake_provider).lookup("Heat")[0]["title"] == "Heat"


# --- look-up tasks ------------------------------------------------------------------------------

@pytest.fixture
def tmdb_ready(providers_at, env_master_key, db):
    secret_store.set_secret("tmdb", TMDB_KEY, actor=Actor("test setup"))
    return providers_at


def film(title="heat", year=1995):
    work = Work.objects.create(kind="film")
    record_claims(work, {"title": title, "year": year}, source="embedded", confidence=0.5)
    resolve_work(work)
    return work


def test_lookups_record_provider_claims_and_resolve_the_work(tmdb_ready):
    tmdb_ready.route("/3/search/movie", Reply(body=MOVIE_SEARCH))
    tmdb_ready.route("/3/movie/949", Reply(body=MOVIE_DETAILS))
    work = film()
    assert tasks.lookup_works.call([work.pk]) == 1
    claims = {claim.field: claim for claim in Claim.objects.filter(work=work, source="tmdb")}
    assert set(claims) == {"tmdb_id", "title", "year", "description", "genre"}
    assert claims["title"].claimed_by == "provider tmdb" and not claims["title"].locked
    work.refresh_from_db()
    assert work.title == "Heat" and work.metadata["genre"] == "Action, Crime"
    provider = Provider.objects.get(name="tmdb")
    assert provider.reachable is True and provider.last_error == "" and provider.last_checked


def test_lookups_run_twice_add_no_duplicate_claims(tmdb_ready):
    tmdb_ready.route("/3/search/movie", Reply(body=MOVIE_SEARCH))
    tmdb_ready.route("/3/movie/949", Reply(body=MOVIE_DETAILS))
    work = film()
    tasks.lookup_works.call([work.pk])
    count = Claim.objects.count()
    assert tasks.lookup_works.call([work.pk]) == 0
    assert Claim.objects.count() == count


def test_a_refused_key_is_shown_in_provider_status_and_stops_the_batch(tmdb_ready, client_as):
    tmdb_ready.route("/3/search/movie", Reply(401, TMDB_401))
    works = [film("Heat"), film("Ronin", 1998)]
    assert tasks.lookup_works.call([work.pk for work in works]) == 0
    assert len(tmdb_ready.asked("/3/search/movie")) == 1
    assert not Claim.objects.filter(source="tmdb").exists()
    status = {row["name"]: row for row in client_as("Curator").get("/settings/providers").json()}
    assert status["tmdb"]["reachable"] is True
    assert "401" in status["tmdb"]["last_error"]


def test_the_probe_marks_an_unreachable_provider_unreachable(env_master_key, settings, db):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "TMDB_URL": "http://127.0.0.1:9/3"}
    secret_store.set_secret("tmdb", TMDB_KEY, actor=Actor("test setup"))
    tasks.probe_providers.call(["tmdb"])
    provider = Provider.objects.get(name="tmdb")
    assert provider.reachable is False and "could not be reached" in provider.last_error


def test_tmdb_without_a_key_is_not_asked(providers_at, env_master_key, db):
    tasks.lookup_works.call([film().pk])
    assert providers_at.requests == []


def test_disabled_providers_are_not_asked(tmdb_ready):
    Provider.objects.ensure_all().filter(name="tmdb").update(enabled=False)
    tasks.lookup_works.call([film().pk])
    assert tmdb_ready.requests == []


def test_music_is_looked_up_on_musicbrainz(providers_at, no_key_source, db, monkeypatch):
    monkeypatch.setattr("library.providers.musicbrainz.GATE", RateGate(0.0))
    providers_at.route("/ws/2/recording", Reply(body=RECORDING_SEARCH))
    work = Work.objects.create(kind="music")
    record_claims(work, {"title": "Come Together", "artist": "Beatles"}, source="embedded")
    resolve_work(work)
    tasks.lookup_works.call([work.pk])
    work.refresh_from_db()
    assert work.album == "Abbey Road" and work.year == 1969


def test_enqueue_lookups_queues_a_background_task_and_returns_at_once(db, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue_lookups([3, 1, 2, 2])
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("lookup_works") and queued.args_kwargs["args"] == [[1, 2, 3]]


def test_enqueue_lookups_given_something_else_than_ids_logs_and_queues_nothing(db, caplog, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.enqueue_lookups(["not a work id"]) is None
    assert callbacks == []
    assert not DBTaskResult.objects.exists()
    assert [record.getMessage() for record in caplog.records if record.name == "library.providers.services"] == [
        "enqueue_lookups was given something other than work ids."
    ]


# --- /settings/providers ------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("Administrator", 200), ("Curator", 200), ("Consumer", 403)])
def test_provider_status_is_for_curators_and_administrators(client_as, no_key_source, role, status):
    assert client_as(role).get("/settings/providers").status_code == status


def test_provider_status_lists_both_providers_without_secrets(client_as, env_master_key):
    secret_store.set_secret("tmdb", TMDB_KEY, actor=Actor("test setup"))
    response = client_as("Curator").get("/settings/providers")
    rows = response.json()
    assert [row["name"] for row in rows] == ["musicbrainz", "tmdb"]
    assert set(rows[0]) == {"name", "enabled", "weight", "secret_configured", "reachable", "last_checked", "last_error"}
    assert rows[1]["secret_configured"] is True and rows[0]["secret_configured"] is False
    assert TMDB_KEY not in response.text


def test_administrators_change_enabled_and_weight(client_as, no_key_source):
    response = client_as("Administrator").put("/settings/providers/musicbrainz", json={"enabled": False, "weight": 1.5})
    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["weight"]) == (False, 1.5)
    provider = Provider.objects.get(name="musicbrainz")
    assert (provider.enabled, provider.weight) == (False, 1.5)
    from security.models import AuditEntry

    assert AuditEntry.objects.filter(action="provider.updated", target__contains="musicbrainz").exists()


@pytest.mark.parametrize("body", [{"weight": -1}, {"weight": 11}, {"weight": "heavy"}, {"enabled": "perhaps"},
                                  {"name": "other"}, {"secret": "x"}])
def test_provider_settings_refuse_bad_input(client_as, no_key_source, body):
    response = client_as("Administrator").put("/settings/providers/tmdb", json=body)
    assert response.status_code == 400
    assert Provider.objects.get(name="tmdb").weight == 1.0


def test_curators_cannot_change_provider_settings(client_as, no_key_source):
    assert client_as("Curator").put("/settings/providers/tmdb", json={"enabled": False}).status_code == 403


def test_unknown_providers_are_404(client_as, no_key_source):
    assert client_as("Administrator").put("/settings/providers/imdb", json={"enabled": False}).status_code == 404


def test_probe_records_reachability(providers_at, no_key_source, db):
    providers_at.route("/ws/2/recording", Reply(body={"count": 0, "offset": 0, "recordings": []}))
    tasks.probe_providers.call(["musicbrainz"])
    provider = Provider.objects.get(name="musicbrainz")
    assert provider.reachable is True and provider.last_checked is not None


# --- credentials and redirects --------------------------------------------------------------------

TMDB_READ_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2lnbmF0dXJl"


@pytest.fixture
def outbound_proxy(monkeypatch):
    """A second local server as the deployment's outbound HTTP proxy: requests to any public
    host arrive there, so it sees exactly what the engine sends to another origin."""
    proxy = FakeProvider()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield proxy
    proxy.close()


@pytest.mark.parametrize("token", [TMDB_READ_TOKEN, TMDB_KEY], ids=["v4 bearer", "v3 api_key"])
def test_a_redirect_to_another_origin_carries_no_credential(fake_provider, outbound_proxy, token):
    fake_provider.route("/3/search/movie", Reply(302, {}, headers={"Location": f"http://93.184.216.34/3/search/movie?query=Heat&api_key={token}"}))
    outbound_proxy.route("/3/search/movie", Reply(body=MOVIE_SEARCH))
    outbound_proxy.route("/3/movie/949", Reply(body=MOVIE_DETAILS))
    client = TmdbClient(fake_provider.url + "/3", token, timeout=2.0, retries=0, backoff=0.01)
    client.search("Heat")
    [followed] = outbound_proxy.asked("/3/search/movie")
    assert "Authorization" not in followed["headers"] and "authorization" not in followed["headers"]
    assert "api_key" not in followed["query"]
    assert followed["query"]["query"] == ["Heat"]
    assert token not in repr(followed)
    # The configured origin itself was asked with the credential.
    [asked] = fake_provider.asked("/3/search/movie")
    assert asked["headers"].get("Authorization") == f"Bearer {token}" or asked["query"].get("api_key") == [token]


def test_a_redirect_within_the_configured_origin_keeps_the_credential(fake_provider):
    fake_provider.route("/3/search/movie", Reply(301, {}, headers={"Location": "/3/search/movie2?query=Heat"}))
    fake_provider.route("/3/search/movie2", Reply(body=MOVIE_SEARCH))
    TmdbClient(fake_provider.url + "/3", TMDB_READ_TOKEN, timeout=2.0, retries=0).search("Heat")
    [followed] = fake_provider.asked("/3/search/movie2")
    assert followed["headers"]["Authorization"] == f"Bearer {TMDB_READ_TOKEN}"
