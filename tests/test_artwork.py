"""Cover art through a scan and ``GET /library/works/{id}/artwork``: found in each kind of file or
beside it, stored once per picture, served at the size asked with ETag and Cache-Control; hostile
pictures leave their file without artwork and the scan whole."""

import io
import os

import pytest
from PIL import Image

from library.artwork.store import artwork_root
from library.models import Artwork, Asset, AssetLocation, Work
from tests.artwork_samples import (
    cbz,
    decoded,
    decompression_bomb_png,
    epub_with_cover,
    flac_with_picture,
    m4a_with_picture,
    mp3_with_picture,
    ogg_with_picture,
    picture,
    truncated_jpeg,
)
from tests.media_samples import write_mp3
from tests.streaming_fixtures import make_root, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    """A data directory of the test's own, so cached pictures never outlive it."""
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "DATA_DIR": tmp_path / "data"}
    return tmp_path / "data"


@pytest.fixture
def consumer(client_as):
    return client_as("Consumer")


def work_of(root, relative):
    return AssetLocation.objects.select_related("asset__work").get(root=root, relative_path=relative).asset.work


def artwork(client, work, **params):
    return client.get(f"/library/works/{work.pk}/artwork", params=params)


def test_each_kind_of_file_gets_its_own_picture_from_a_scan(data_dir, tmp_path, consumer):
    folder = tmp_path / "library"
    folder.mkdir()
    covers = {
        "song.mp3": picture(500, 500, color=(10, 10, 10)),
        "song.m4a": picture(400, 400, color=(20, 20, 20), image_format="PNG"),
        "song.flac": picture(300, 300, color=(30, 30, 30), image_format="PNG"),
        "song.ogg": picture(200, 200, color=(40, 40, 40), image_format="PNG"),
        "book.epub": picture(300, 450, color=(50, 50, 50)),
        "issue.cbz": picture(320, 480, color=(60, 60, 60)),
    }
    mp3_with_picture(folder / "song.mp3", covers["song.mp3"])
    m4a_with_picture(folder / "song.m4a", covers["song.m4a"])
    flac_with_picture(folder / "song.flac", covers["song.flac"])
    ogg_with_picture(folder / "song.ogg", covers["song.ogg"])
    epub_with_cover(folder / "book.epub", covers["book.epub"])
    cbz(folder / "issue.cbz", {"p2.jpg": picture(10, 10), "p1.jpg": covers["issue.cbz"]})
    root = make_root(folder)
    job = scan(root)
    assert job == "completed"
    for name, cover in covers.items():
        response = artwork(consumer, work_of(root, name))
        assert response.status_code == 200, (name, response.text)
        assert response.content == cover, name
        assert response.headers["content-type"] == ("image/png" if cover.startswith(b"\x89PNG") else "image/jpeg")


def test_a_sidecar_covers_the_files_of_its_folder_that_have_no_picture_of_their_own(data_dir, tmp_path, consumer):
    album = tmp_path / "library" / "Album"
    album.mkdir(parents=True)
    sidecar, own = picture(600, 600, color=(0, 90, 0)), picture(300, 300, color=(90, 0, 0))
    (album / "cover.jpg").write_bytes(sidecar)
    write_mp3(album / "01.mp3", title="One", salt=1)
    write_mp3(album / "02.mp3", title="Two", salt=2)
    mp3_with_picture(album / "03.mp3", own, title="Three", salt=3)
    root = make_root(tmp_path / "library")
    scan(root)
    assert artwork(consumer, work_of(root, "Album/01.mp3")).content == sidecar
    assert artwork(consumer, work_of(root, "Album/02.mp3")).content == sidecar
    assert artwork(consumer, work_of(root, "Album/03.mp3")).content == own
    # One row and one file per picture, however many files show it.
    assert Artwork.objects.count() == 2
    assert len(list((artwork_root() / "originals").rglob("*.jpg"))) == 2


def test_a_subtitle_beside_a_film_is_never_a_picture_of_the_folder(data_dir, tmp_path, consumer):
    """Subtitles are assets of their film's work, but text: the folder's cover is the film's only."""
    films = tmp_path / "library" / "Film (2010)"
    films.mkdir(parents=True)
    cover = picture(400, 600, color=(0, 0, 90))
    (films / "folder.jpg").write_bytes(cover)
    (films / "Film (2010).mkv").write_bytes(b"\x1a\x45\xdf\xa3" + b"the film")
    (films / "Film (2010).en.srt").write_text("1\n00:00:01,000 --> 00:00:02,500\nHello there.\n")
    root = make_root(tmp_path / "library")
    scan(root)
    film = work_of(root, "Film (2010)/Film (2010).mkv")
    assert artwork(consumer, film).content == cover
    assert list(Asset.objects.filter(work=film).order_by("id").values_list("role", "artwork_id", "artwork_problem")) == [
        ("media", Artwork.objects.get().pk, ""), ("subtitle", None, ""),
    ]


def test_a_thumbnail_is_an_image_of_the_size_asked(data_dir, tmp_path, consumer):
    root = make_root(tmp_path / "library")
    mp3_with_picture(tmp_path / "library" / "song.mp3", picture(1200, 800))
    scan(root)
    work = Work.objects.get()
    for size, expected in ((64, (64, 43)), (300, (300, 200)), (512, (512, 341)), (1199, (1199, 799))):
        response = artwork(consumer, work, size=size)
        assert response.status_code == 200
        assert decoded(response.content) == ("JPEG", *expected), size
    original = artwork(consumer, work, size=1200)
    assert decoded(original.content) == ("JPEG", 1200, 800)
    assert artwork(consumer, work, size=2048).content == original.content  # never enlarged


def test_only_a_bounded_set_of_thumbnail_sizes_is_kept_on_disk(data_dir, tmp_path, consumer):
    root = make_root(tmp_path / "library")
    mp3_with_picture(tmp_path / "library" / "song.mp3", picture(1500, 1500))
    scan(root)
    work = Work.objects.get()
    for size in range(90, 140):
        assert artwork(consumer, work, size=size).status_code == 200
    kept = sorted(path.name.rsplit("-", 1)[1] for path in (artwork_root() / "thumbnails").rglob("*-*"))
    assert kept == ["128.jpg", "256.jpg"]


def test_a_transparent_picture_keeps_its_transparency_in_thumbnails(data_dir, tmp_path, consumer):
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    root = make_root(tmp_path / "library")
    mp3_with_picture(tmp_path / "library" / "song.mp3", buffer.getvalue(), mime="image/png")
    scan(root)
    response = artwork(consumer, Work.objects.get(), size=100)
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as thumbnail:
        assert (thumbnail.mode, thumbnail.size, thumbnail.getpixel((50, 50))[3]) == ("RGBA", (100, 100), 0)


def test_the_answer_carries_etag_and_cache_control_and_a_match_is_304(data_dir, tmp_path, consumer):
    root = make_root(tmp_path / "library")
    mp3_with_picture(tmp_path / "library" / "song.mp3", picture(800, 800))
    scan(root)
    work = Work.objects.get()
    content_hash = Artwork.objects.get().content_hash
    full, small = artwork(consumer, work), artwork(consumer, work, size=128)
    assert full.headers["etag"] == f'"{content_hash}"' and small.headers["etag"] == f'"{content_hash}-128"'
    assert full.headers["cache-control"] == "private, max-age=86400"
    again = consumer.get(f"/library/works/{work.pk}/artwork?size=128", headers={"If-None-Match": small.headers["etag"]})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", small.headers["etag"])
    other = consumer.get(f"/library/works/{work.pk}/artwork?size=128", headers={"If-None-Match": full.headers["etag"]})
    assert other.status_code == 200


def test_a_work_without_artwork_or_an_unknown_work_is_404(data_dir, tmp_path, consumer):
    root = make_root(tmp_path / "library")
    write_mp3(tmp_path / "library" / "plain.mp3", title="Plain")
    scan(root)
    response = artwork(consumer, Work.objects.get())
    assert (response.status_code, response.json()["code"]) == (404, "no_artwork")
    assert consumer.get("/library/works/987654/artwork").json()["code"] == "not_found"


@pytest.mark.parametrize("size", ["0", "-5", "big", "2049", "1.5", "²", "١٢", "9" * 30])
def test_a_size_that_is_no_pixel_count_is_refused(data_dir, tmp_path, consumer, size):
    root = make_root(tmp_path / "library")
    mp3_with_picture(tmp_path / "library" / "song.mp3", picture(100, 100))
    scan(root)
    response = consumer.get(f"/library/works/{Work.objects.get().pk}/artwork?size={size}")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_size")


def test_hostile_pictures_leave_their_files_without_artwork_and_the_scan_whole(data_dir, tmp_path, consumer):
    folder = tmp_path / "library"
    folder.mkdir()
    mp3_with_picture(folder / "bomb.mp3", decompression_bomb_png(), mime="image/png", salt=1)
    mp3_with_picture(folder / "truncated.mp3", truncated_jpeg(), salt=2)
    mp3_with_picture(folder / "huge.mp3", picture(10, 10) + os.urandom(100 * 1024 * 1024), salt=3)
    mp3_with_picture(folder / "fine.mp3", fine := picture(200, 200), salt=4)
    root = make_root(folder)
    assert scan(root) == "completed"
    problems = {location.relative_path: location.asset.artwork_problem for location in AssetLocation.objects.select_related("asset")}
    assert problems == {
        "bomb.mp3": "embedded picture is not a readable image (DecompressionBombError)",
        "truncated.mp3": problems["truncated.mp3"],
        "huge.mp3": "embedded tags are 100 MiB, larger than any picture kept",
        "fine.mp3": "",
    }
    assert problems["truncated.mp3"].startswith("embedded picture could not be decoded: image file is truncated")
    for name in ("bomb.mp3", "truncated.mp3", "huge.mp3"):
        assert artwork(consumer, work_of(root, name)).status_code == 404
    assert artwork(consumer, work_of(root, "fine.mp3")).content == fine
    assert list(Asset.objects.filter(artwork__isnull=False).values_list("locations__relative_path", flat=True)) == ["fine.mp3"]


def test_artwork_is_counted_as_streaming(data_dir, tmp_path, consumer):
    root = make_root(tmp_path / "library")
    mp3_with_picture(tmp_path / "library" / "song.mp3", picture(100, 100))
    scan(root)
    response = artwork(consumer, Work.objects.get())
    assert response.headers["ratelimit-policy"].startswith('"stream"')
