"""Search: the p50 latency of ``GET /library/works?q=`` at 100,000 works against its p50 at 1,000.

Two engines run side by side (``manage.py serve``, one per library size, each on its own
database) and are asked in turn, round by round, so a noisy neighbour slows both alike. Each
library holds works with made-up titles, artists and albums (a few thousand distinct words, as a
music library has) and the same five works by "Zyxwvut Quartet", so the selective searches
answer five works at both sizes: what grows is only what the search must look through. On
SQLite (FTS5 trigram index) always; on PostgreSQL (pg_trgm GIN index) too when its programs are
installed. Besides the HTTP figures, the selector alone is timed in-process, and so is the
``LIKE '%term%'`` filter it replaced, on the same rows without the index.

Goal: p50 at 100,000 works / p50 at 1,000 works ≤ 3, for each selective search.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench.support import report
from tests.servers import ROOT, EngineServer, PostgresServer, engine_environment, manage

SIZES = (1_000, 100_000)
ROUNDS = 100
WARM_UP = 10
#: Selective searches (five works at every size) and, for information, a common word.
QUERIES = {"one rare word": "zyxwvut", "two words": "zyxwvut quartet", "accented": "QUARTÉT ZYXWVUT"}
COMMON = "love"

POPULATE = """
import json, random, statistics, time
from library.browse import selectors
from library.models import Asset, Work
from library.search import search_text

SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo fu ga ge gi go gu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu".split()
rng = random.Random(7)
words = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(6000)})[:4000]
words += ["love", "night", "heart", "you", "me", "dance", "blue", "song", "time", "home"]

def phrase(low, high):
    return " ".join(rng.choice(words) for _ in range(rng.randint(low, high))).title()

def make(title, artist, album):
    work = Work(kind="music", title=title, artist=artist, album=album)
    work.search_text = search_text(work)
    return work

SIZE = @SIZE@
BATCH = 5000
needles = [make(f"Needle {n}", "Zyxwvut Quartet", "Quartet Works") for n in range(5)]
Work.objects.bulk_create(needles)
for start in range(0, SIZE - len(needles), BATCH):
    count = min(BATCH, SIZE - len(needles) - start)
    works = Work.objects.bulk_create([make(phrase(1, 4), phrase(1, 2), phrase(1, 3)) for n in range(count)])
    Asset.objects.bulk_create([
        Asset(work=work, content_hash=f"{work.pk:064x}", size=4_000_000, mime_type="audio/mpeg", duration=200.0)
        for work in works
    ])
assert Work.objects.count() == SIZE

def timed(select, rounds=10):
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        queryset = select()
        queryset.count()
        list(queryset[:50])
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)

def like(q):
    from library.search import fold
    queryset = selectors.works()
    for term in fold(q).split():
        queryset = queryset.filter(search_text__contains=term)
    return queryset

def without_index(select):
    # On PostgreSQL the selector's LIKE is answered by the index: take it away for the baseline.
    from django.db import connection
    if connection.vendor != "postgresql":
        return timed(select)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            return timed(select)
        finally:
            cursor.execute("RESET enable_bitmapscan")
            cursor.execute("RESET enable_indexscan")

figures = {}
for name, q in @QUERIES@.items():
    figures[name] = {"selector": timed(lambda: selectors.works(q=q)), "like": without_index(lambda: like(q))}
print("FIGURES " + json.dumps(figures))
"""


class Library:
    """One engine data directory (and database) with ``size`` works, and its server once started."""

    def __init__(self, base, size, postgres=None):
        self.size = size
        settings = {"RATE_GENERAL": "1000000/m", "LOG_LEVEL": "WARNING"}
        if postgres is not None:
            database = f"search_{size}"
            import psycopg

            with psycopg.connect(postgres.url("postgres"), autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {database}")
            settings["DATABASE_URL"] = postgres.url(database)
        self.env = engine_environment(Path(tempfile.mkdtemp(prefix=f"bench-search-{size}-", dir=base)), **settings)
        manage(self.env, "migrate", "--no-input")
        started = time.perf_counter()
        queries = dict(QUERIES)
        code = POPULATE.replace("@SIZE@", str(size)).replace("@QUERIES@", repr(queries))
        output = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=True,
        ).stdout
        self.populated_in = time.perf_counter() - started
        self.in_process = json.loads(output.split("FIGURES ", 1)[1])
        created = manage(self.env, "apikey", "create", "--label", "bench", "--role", "Consumer")
        self.key = created.stdout.strip()
        self.server = None

    def start(self, stack):
        self.server = stack.enter_context(EngineServer(self.env))
        self.client = stack.enter_context(httpx.Client(base_url=self.server.url, headers={"X-Api-Key": self.key}, timeout=30))

    def search(self, q):
        response = self.client.get("/library/works", params={"q": q})
        response.raise_for_status()
        return response.json()["count"]


def _interleaved(libraries, q):
    timings = {library.size: [] for library in libraries}
    counts = {}
    for round_number in range(WARM_UP + ROUNDS):
        for library in libraries:
            started = time.perf_counter()
            counts[library.size] = library.search(q)
            if round_number >= WARM_UP:
                timings[library.size].append(time.perf_counter() - started)
    return {size: statistics.median(values) for size, values in timings.items()}, counts


def _run(label, libraries):
    small, large = libraries
    for library in libraries:
        report(f"{label}: {library.size:,} works made in", library.populated_in, " s")
    with ExitStack() as stack:
        for library in libraries:
            library.start(stack)
        for name, q in {**QUERIES, "common word": COMMON}.items():
            medians, counts = _interleaved(libraries, q)
            selective = name != "common word"
            if selective:
                assert counts == {small.size: 5, large.size: 5}, counts
            report(f"{label} '{q}' p50 at {small.size:,} works ({counts[small.size]} found)", medians[small.size] * 1000, " ms")
            report(f"{label} '{q}' p50 at {large.size:,} works ({counts[large.size]} found)", medians[large.size] * 1000, " ms")
            report(f"{label} '{q}' p50 {large.size:,} / {small.size:,}", medians[large.size] / medians[small.size],
                   goal="≤ 3" if selective else None)
    for name in QUERIES:
        for library in libraries:
            figures = library.in_process[name]
            report(f"{label} selector '{QUERIES[name]}' at {library.size:,}, in-process", figures["selector"] * 1000, " ms")
            report(f"{label} LIKE '%term%' without index '{QUERIES[name]}' at {library.size:,}", figures["like"] * 1000, " ms")


def main():
    with tempfile.TemporaryDirectory(prefix="bench-search-") as base:
        print("making the SQLite libraries …", flush=True)
        _run("SQLite", [Library(base, size) for size in SIZES])
        try:
            postgres = PostgresServer()
        except BaseException as error:  # require_binary skips: no PostgreSQL on this machine
            print(f"PostgreSQL not measured: {error}", flush=True)
            return
        with postgres:
            print("making the PostgreSQL libraries …", flush=True)
            _run("PostgreSQL", [Library(base, size, postgres) for size in SIZES])


if __name__ == "__main__":
    main()
