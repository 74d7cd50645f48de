"""The OPDS catalog as e-readers meet it: a real server, a scanned library of real EPUBs, PDFs and
a CBZ, HTTP Basic with a Consumer key as the password, every feed reached by following links.

Every Atom feed validates with ``jing`` against the OPDS 1.2 grammar in tests/schemas and parses
with ``feedparser``; the OpenSearch template, filled in, finds books; every acquisition link
downloads the file on disk byte for byte; the OPDS 2.0 twins list the same entries.
"""

import json
import os
import subprocess
from collections import deque
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import httpx
import pytest

from tests.ebook_samples import write_book, write_comic, write_pdf
from tests.live_engine import add_folder, api, live_engine, scan
from tests.media_samples import write_mp3
from tests.servers import require_binary
from tests.signalr_clients import JS_DIR, NODE_DIR, node  # noqa: F401  (fixture)

SCHEMA = "tests/schemas/opds-catalog-1.2.rnc"
ATOM = "{http://www.w3.org/2005/Atom}"
ACQUISITION = "http://opds-spec.org/acquisition"
FEED_TYPES = ("application/atom+xml;profile=opds-catalog;kind=navigation", "application/atom+xml;profile=opds-catalog;kind=acquisition")
PAMPHLETS = 55


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("books")
    (root / "Herbert").mkdir()
    write_book(root / "Herbert" / "dune.epub", title="Dune", author="Frank Herbert", year=1965, series="Dune")
    write_book(root / "Herbert" / "messiah.epub", title="Dune Messiah", author="Frank Herbert", year=1969, series="Dune", color=(120, 60, 30))
    write_book(root / "earthsea.epub", title="A Wizard of Earthsea", author="Ursula K. Le Guin", year=1968, language="en", color=(20, 120, 60))
    write_pdf(root / "Field Manual.pdf", title="Field Manual")
    write_comic(root / "issue-1.cbz")
    write_mp3(root / "song.mp3", title="Not A Book")
    (root / "pamphlets").mkdir()
    for number in range(PAMPHLETS):
        write_pdf(root / "pamphlets" / f"Pamphlet {number:02d}.pdf", title=f"Pamphlet {number:02d}")
    return root


@pytest.fixture(scope="module")
def engine(tmp_path_factory, library):
    with live_engine(tmp_path_factory.mktemp("engine")) as server:
        scan(server, add_folder(server, library)["id"])
        yield server


@pytest.fixture(scope="module")
def reader(engine):
    """An e-reader: HTTP Basic with any user name and a Consumer key as the password."""
    with httpx.Client(base_url=engine.url, auth=("alice", engine.keys["Consumer"]), timeout=30) as client:
        yield client


def validate(path, body, tmp_path):
    jing = require_binary("jing")
    document = tmp_path / (urlsplit(path).path.strip("/").replace("/", "_") or "root")
    document.write_bytes(body)
    result = subprocess.run([jing, "-c", SCHEMA, str(document)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{path} does not validate:\n{result.stdout}"


def parse(response):
    """feedparser's reading of a response, as it reads one it fetched itself."""
    return feedparser.parse(response.content, response_headers={"content-type": response.headers["content-type"], "content-location": str(response.url)})


def crawl(reader, tmp_path, start="/opds/"):
    """Every feed reachable from ``start`` by navigation, acquisition and paging links:
    ``{path: (response, feedparser result)}``, each validated on the way."""
    seen, queue = {}, deque([start])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        response = reader.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].split(";charset")[0] in FEED_TYPES, path
        validate(path, response.content, tmp_path)
        parsed = parse(response)
        assert not parsed.bozo, (path, parsed.bozo_exception)
        seen[path] = (response, parsed)
        links = [link for link in parsed.feed.links if link.get("type") in FEED_TYPES and link.rel in ("next", "previous", "first", "last")]
        for entry in parsed.entries:
            links += [link for link in entry.links if link.get("type") in FEED_TYPES]
        for link in links:
            queue.append(urlsplit(link.href).path + (f"?{urlsplit(link.href).query}" if urlsplit(link.href).query else ""))
    return seen


@pytest.fixture(scope="module")
def catalog(reader, tmp_path_factory):
    return crawl(reader, tmp_path_factory.mktemp("feeds"))


def titles(parsed):
    return [entry.title for entry in parsed.entries]


def test_every_feed_validates_and_parses_and_links_to_itself_and_the_root(catalog):
    # The root, recent (2 pages), three kinds (books: 2 pages), authors, series, two of each.
    assert len(catalog) >= 12, sorted(catalog)
    for path, (_, parsed) in catalog.items():
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert urlsplit(rels["start"]).path == "/opds/", path
        assert "self" in rels and "search" in rels, path


def test_the_root_navigates_to_recent_kinds_authors_and_series(catalog):
    _, root = catalog["/opds/"]
    assert titles(root) == ["Recently added", "Books", "Comics", "Audiobooks", "Authors", "Series"]
    assert root.entries[0].links[0].rel == "http://opds-spec.org/sort/new"


def test_books_are_listed_by_kind_author_and_series_and_music_is_not(catalog):
    books = titles(catalog["/opds/kinds/book"][1]) + titles(catalog["/opds/kinds/book?page=2"][1])
    assert {"Dune", "Dune Messiah", "A Wizard of Earthsea", "Field Manual"} <= set(books)
    assert len(books) == 4 + PAMPHLETS and "Not A Book" not in books
    assert titles(catalog["/opds/kinds/comic"][1]) == ["issue-1"]
    assert titles(catalog["/opds/kinds/audiobook"][1]) == []
    authors = catalog["/opds/authors"][1]
    assert titles(authors) == ["Frank Herbert", "Ursula K. Le Guin"]
    herbert = urlsplit(authors.entries[0].links[0].href).path
    assert titles(catalog[herbert][1]) == ["Dune", "Dune Messiah"]
    assert catalog[herbert][1].entries[0].author == "Frank Herbert"
    series = catalog["/opds/series"][1]
    assert titles(series) == ["Dune"]
    assert titles(catalog[urlsplit(series.entries[0].links[0].href).path][1]) == ["Dune", "Dune Messiah"]


def test_feeds_are_paged_with_first_previous_next_and_last(catalog):
    _, first = catalog["/opds/kinds/book"]
    _, second = catalog["/opds/kinds/book?page=2"]
    rels = lambda parsed: {link.rel: link.href for link in parsed.feed.links}  # noqa: E731
    assert set(rels(first)) >= {"first", "next", "last"} and "previous" not in rels(first)
    assert urlsplit(rels(first)["next"]).query == "page=2" and rels(first)["last"] == rels(first)["next"]
    assert set(rels(second)) >= {"first", "previous", "last"} and "next" not in rels(second)
    assert len(first.entries) == 50 and len(second.entries) == 4 + PAMPHLETS - 50
    assert int(first.feed["opensearch_totalresults"]) == 4 + PAMPHLETS


def test_recently_added_lists_the_newest_first(catalog):
    _, recent = catalog["/opds/recent"]
    entries = recent.entries + catalog["/opds/recent?page=2"][1].entries
    assert len(entries) == 5 + PAMPHLETS
    updated = [entry.updated_parsed for entry in entries]
    assert updated == sorted(updated, reverse=True) or len(set(updated)) < len(updated)


def test_entries_carry_their_metadata_and_acquisition_links(catalog, library):
    _, herbert = catalog[next(path for path in catalog if path.startswith("/opds/authors/"))]
    dune = herbert.entries[0]
    assert (dune.title, dune.author, dune.published_parsed.tm_year) == ("Dune", "Frank Herbert", 1965)
    assert dune.dcterms_language == "en"
    (acquisition,) = [link for link in dune.links if link.rel == ACQUISITION]
    assert acquisition.type == "application/epub+zip"
    assert int(acquisition.length) == (library / "Herbert" / "dune.epub").stat().st_size


def test_acquisition_links_download_the_files_byte_for_byte(catalog, reader, library):
    on_disk = {path.read_bytes() for path in library.rglob("*") if path.suffix in (".epub", ".pdf", ".cbz")}
    downloaded = set()
    for path, (_, parsed) in catalog.items():
        if not path.startswith("/opds/kinds/"):
            continue
        for entry in parsed.entries:
            (link,) = [link for link in entry.links if link.rel == ACQUISITION]
            response = reader.get(link.href)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == link.type
            assert len(response.content) == int(link.length) and response.content in on_disk, entry.title
            downloaded.add(response.content)
    assert downloaded == on_disk and len(downloaded) == 5 + PAMPHLETS


def test_covers_and_thumbnails_decode_as_the_pictures_in_the_files(catalog, reader):
    import io

    from PIL import Image

    covered = {}
    for path in ("/opds/kinds/book", "/opds/kinds/comic"):
        for entry in catalog[path][1].entries:
            pictures = {link.rel: link for link in entry.links if link.rel.startswith("http://opds-spec.org/image")}
            if pictures:
                covered[entry.title] = pictures
    assert set(covered) == {"Dune", "Dune Messiah", "A Wizard of Earthsea", "issue-1"}
    for title, pictures in covered.items():
        sizes = {}
        for rel, link in pictures.items():
            response = reader.get(link.href)
            assert response.status_code == 200, (title, rel, response.text)
            assert response.headers["content-type"] == link.type
            with Image.open(io.BytesIO(response.content)) as image:
                image.load()
                sizes[rel] = image.size
        full, thumbnail = sizes["http://opds-spec.org/image"], sizes["http://opds-spec.org/image/thumbnail"]
        assert full == ((800, 1200) if title == "issue-1" else (600, 900)), title
        assert max(thumbnail) == 256 and thumbnail[0] / thumbnail[1] == pytest.approx(full[0] / full[1], rel=0.02)


def test_the_opensearch_template_resolves_to_a_feed_of_what_was_searched(reader, tmp_path):
    _, parsed = crawl(reader, tmp_path, "/opds/")["/opds/"]
    (search,) = [link for link in parsed.feed.links if link.rel == "search"]
    assert search.type == "application/opensearchdescription+xml"
    description = reader.get(search.href)
    assert description.status_code == 200
    assert description.headers["content-type"].startswith("application/opensearchdescription+xml")
    url = ElementTree.fromstring(description.content).find("{http://a9.com/-/spec/opensearch/1.1/}Url")
    assert url.get("type") == FEED_TYPES[1]
    filled = url.get("template").replace("{searchTerms}", "dune").replace("{startPage?}", "")
    assert filled.startswith(str(reader.base_url).rstrip("/"))
    found = reader.get(filled)
    assert found.status_code == 200
    validate("/opds/search", found.content, tmp_path)
    assert titles(parse(found)) == ["Dune", "Dune Messiah"]
    again = reader.get(url.get("template").replace("{searchTerms}", "earthsea").replace("{startPage?}", "1"))
    assert titles(parse(again)) == ["A Wizard of Earthsea"]


def test_opds_2_lists_the_same_catalog(reader, catalog):
    root = reader.get("/opds/v2/")
    assert root.status_code == 200 and root.headers["content-type"] == "application/opds+json"
    navigation = {item["title"]: item for item in root.json()["navigation"]}
    assert set(navigation) == {"Recently added", "Books", "Comics", "Audiobooks", "Authors", "Series"}
    books = reader.get(navigation["Books"]["href"]).json()
    assert books["metadata"]["numberOfItems"] == 4 + PAMPHLETS
    assert [item["metadata"]["title"] for item in books["publications"]] == titles(catalog["/opds/kinds/book"][1])
    dune = next(item for item in books["publications"] if item["metadata"]["title"] == "Dune")
    (link,) = dune["links"]
    assert link["rel"] == ACQUISITION and link["type"] == "application/epub+zip"
    assert reader.get(link["href"]).content[:4] == b"PK\x03\x04"
    assert {link["rel"] for link in books["links"]} >= {"self", "start", "search", "first", "next", "last"}


def test_an_administrator_key_over_x_api_key_reads_the_same_feeds(engine):
    assert api(engine, "GET", "/opds/kinds/comic", expect=200).headers["content-type"].startswith(FEED_TYPES[1])


def contributor_names(value):
    """OPDS 2.0 contributors: a name, an object with a name, or a list of either."""
    values = value if isinstance(value, list) else [value]
    return [item if isinstance(item, str) else item["name"] for item in values]


def thorium_reads(node, engine, path):  # noqa: F811
    """The feed at ``path`` as Readium's r2-opds-js (Thorium Reader's parser) converts it."""
    environment = {**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules"), "MEDIA_ENGINE_KEY": engine.keys["Consumer"]}
    result = subprocess.run([node, str(JS_DIR / "opds_reader.js"), f"{engine.url}{path}"], capture_output=True, text=True, timeout=60, env=environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_thoriums_parser_reads_the_root_the_books_and_their_links(node, engine, reader):  # noqa: F811
    root = thorium_reads(node, engine, "/opds/")
    assert [item["title"] for item in root["navigation"]] == ["Recently added", "Books", "Comics", "Audiobooks", "Authors", "Series"]
    assert {link["rel"] if isinstance(link["rel"], str) else link["rel"][0] for link in root["links"]} >= {"self", "start", "search"}
    herbert = next(item for item in thorium_reads(node, engine, "/opds/authors")["navigation"] if item["title"] == "Frank Herbert")
    books = thorium_reads(node, engine, urlsplit(herbert["href"]).path)["publications"]
    assert [book["metadata"]["title"] for book in books] == ["Dune", "Dune Messiah"]
    dune = books[0]
    assert contributor_names(dune["metadata"]["author"]) == ["Frank Herbert"]
    (acquisition,) = [link for link in dune["links"] if "acquisition" in str(link.get("rel"))]
    assert acquisition["type"] == "application/epub+zip"
    assert reader.get(acquisition["href"]).content[:4] == b"PK\x03\x04"
    covers = {image["href"] for image in dune.get("images", [])}
    assert covers and all(reader.get(href).status_code == 200 for href in covers)
    second = thorium_reads(node, engine, "/opds/kinds/book?page=2")
    assert len(second["publications"]) == 4 + PAMPHLETS - 50
