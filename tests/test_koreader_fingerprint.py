"""KOReader names a document by its partial MD5; the engine computes the same at scan time.

:func:`koreader_partial_md5` below is written from KOReader's ``util.partialMD5``
(``frontend/util.lua``) as that Lua reads, not from the engine's module: seek to
``lshift(1024, 2*i)`` for ``i = -1 … 10`` with LuaJIT's 32-bit ``bit.lshift``, read up to 1024
bytes, stop at the first read that returns nothing, MD5 of what was read. The expected values are
literals, so a change of either implementation (or of the fixture files) fails here; they were
also checked with coreutils (``dd skip=OFFSET count=1024`` of each offset below the size, piped
into ``md5sum``).
"""

import hashlib
import io
import zipfile

import pytest

from library.ingestion.koreader import partial_md5
from library.models import Asset
from tests.background_tasks import run_pending_tasks
from tests.media_samples import write_mp3


def lua_lshift(value, shift):
    """LuaJIT BitOp ``bit.lshift``: 32-bit operands, the shift taken modulo 32, a signed result."""
    result = (value << (shift & 31)) & 0xFFFFFFFF
    return result - (1 << 32) if result & 0x80000000 else result


def koreader_partial_md5(path):
    with open(path, "rb") as file:
        step, size = 1024, 1024
        update = hashlib.md5()
        for i in range(-1, 11):
            file.seek(lua_lshift(step, 2 * i))
            sample = file.read(size)
            if sample:  # Lua's file:read answers nil at the end of the file
                update.update(sample)
            else:
                break
        return update.hexdigest()


def stream_of(length, seed):
    """``length`` bytes that depend on nothing but ``seed`` (SHA-256 in counter mode)."""
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:length])


#: name → (size, expected partial MD5). The sizes sit on both sides of KOReader's sample offsets
#: (0, 1 KiB, 4 KiB, 16 KiB, … 1 MiB, 4 MiB), where a sample is whole, cut short or not taken.
FIXTURES = {
    "tiny.pdf": (700, "e7d80c2aaaecf5e5439760be9a404464"),
    "one-kib.pdf": (1024, "f97f8902e36f5ea3dfec37ffe6a14627"),
    "short-second-sample.pdf": (1500, "8c514a58b7c0d813ec85ff96e138078c"),
    "three-samples.pdf": (5000, "a5d2a42e20a613e4895f58b889e0fdc5"),
    "seven-samples.pdf": (300_000, "af823dfe55a8229e84a92b4cb3ae6905"),
    "eight-samples.pdf": (1_048_577, "ad18ede0f48b30aaf3c07055d8c8041f"),
    "nine-samples.pdf": (4_194_400, "62f624c0979a0a8819ba5485eeb1199b"),
}


@pytest.fixture
def fixture_files(tmp_path):
    paths = {}
    for name, (size, _) in FIXTURES.items():
        path = tmp_path / name
        path.write_bytes(b"%PDF-1.4\n" + stream_of(size - 9, name))
        paths[name] = path
    return paths


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_the_written_from_source_algorithm_gives_the_literal_values(fixture_files, name):
    assert koreader_partial_md5(fixture_files[name]) == FIXTURES[name][1]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_the_engine_computes_koreaders_fingerprint(fixture_files, name):
    with open(fixture_files[name], "rb") as file:
        assert partial_md5(file.fileno()) == FIXTURES[name][1]


def test_the_first_sample_is_taken_at_offset_zero(tmp_path):
    """The ``i = -1`` term: ``lshift(1024, -2)`` is 0 in LuaJIT, not 256 (a right shift)."""
    path = tmp_path / "head.pdf"
    path.write_bytes(b"%PDF-" + stream_of(995, "head"))
    with open(path, "rb") as file:
        assert partial_md5(file.fileno()) == hashlib.md5(path.read_bytes()).hexdigest()


def stored_epub(path):
    """An EPUB whose bytes depend on nothing but this code: stored entries, fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in (
            ("mimetype", "application/epub+zip"),
            ("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>'),
            ("content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Fixed</dc:title><dc:creator>Nobody</dc:creator></metadata><manifest/><spine/></package>'),
            ("chapter.xhtml", "<html><body>" + stream_of(6000, "chapter").hex() + "</body></html>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), text)
    path.write_bytes(buffer.getvalue())
    return path


STORED_EPUB_DIGEST = "b16f635bdf38a354281073aed41a1330"


def test_a_scan_records_the_fingerprint_of_books_and_nothing_for_music(local, tmp_path, fixture_files, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}
    root = tmp_path / "library"
    root.mkdir()
    stored_epub(root / "fixed.epub")
    (root / "three-samples.pdf").write_bytes(fixture_files["three-samples.pdf"].read_bytes())
    write_mp3(root / "song.mp3", title="Song")
    assert koreader_partial_md5(root / "fixed.epub") == STORED_EPUB_DIGEST
    folder = local.post("/settings/folders", json={"path": str(root)}).json()["id"]
    assert local.post("/ingestion/scan", json={"folder_id": folder}).status_code == 202
    run_pending_tasks()
    digests = {asset.mime_type: asset.koreader_digest for asset in Asset.objects.all()}
    assert digests == {
        "application/epub+zip": STORED_EPUB_DIGEST,
        "application/pdf": FIXTURES["three-samples.pdf"][1],
        "audio/mpeg": "",
    }
