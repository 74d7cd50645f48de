"""Finding cover art in real files: each container's picture, sidecars, EPUB and CBZ covers, and
hostile pictures refused with a reason. The extractors are plain functions of a path whose
answers survive pickling, as a sandboxed worker process hands them back."""

import os
import pickle

import pytest

from library.artwork.extract import ArtworkResult, file_artwork, folder_artwork
from library.artwork.pictures import MAX_PICTURE_BYTES
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


def found(result):
    """The result after a round trip through pickle, as a worker process returns it."""
    result = pickle.loads(pickle.dumps(result))
    assert isinstance(result, ArtworkResult)
    return result


@pytest.mark.parametrize("make, name, mime, image_format", [
    (mp3_with_picture, "song.mp3", "audio/mpeg", "JPEG"),
    (m4a_with_picture, "song.m4a", "audio/mp4", "PNG"),
    (flac_with_picture, "song.flac", "audio/flac", "PNG"),
    (ogg_with_picture, "song.ogg", "audio/ogg", "PNG"),
])
def test_the_picture_embedded_in_each_kind_of_audio_file_is_found(tmp_path, make, name, mime, image_format):
    cover = picture(321, 123, image_format=image_format)
    result = found(file_artwork(make(tmp_path / name, cover), mime))
    assert result.problem == ""
    assert result.picture.data == cover
    assert (result.picture.mime_type, result.picture.width, result.picture.height) == (f"image/{image_format.lower()}", 321, 123)


def test_the_front_cover_wins_over_other_id3_pictures(tmp_path):
    front, back = picture(100, 100, color=(1, 2, 3)), picture(90, 90, color=(9, 9, 9))
    path = mp3_with_picture(tmp_path / "song.mp3", front, extra_pictures=[(4, back), (8, back)])
    assert found(file_artwork(path, "audio/mpeg")).picture.data == front


def test_a_file_without_a_picture_has_none_and_no_problem(tmp_path):
    assert found(file_artwork(write_mp3(tmp_path / "plain.mp3", title="Plain"), "audio/mpeg")) == ArtworkResult()


@pytest.mark.parametrize("epub3", [True, False])
def test_the_cover_an_epubs_opf_names_is_found_not_another_image(tmp_path, epub3):
    cover = picture(400, 600)
    result = found(file_artwork(epub_with_cover(tmp_path / "book.epub", cover, epub3=epub3), "application/epub+zip"))
    assert result.picture.data == cover and result.picture.source == "EPUB cover"


def test_the_first_page_of_a_comic_in_reading_order_is_its_cover(tmp_path):
    first = picture(200, 300, color=(0, 0, 200))
    path = cbz(tmp_path / "issue.cbz", {
        "__MACOSX/._page01.jpg": b"junk",
        "page10.jpg": picture(200, 300),
        "page2.jpg": picture(200, 300, color=(0, 200, 0)),
        "page1.jpg": first,
        "notes.txt": b"not a page",
    })
    result = found(file_artwork(path, "application/vnd.comicbook+zip"))
    assert result.picture.data == first and result.picture.source == "comic page page1.jpg"


@pytest.mark.parametrize("name", ["cover.jpg", "Folder.JPG", "front.png"])
def test_a_sidecar_image_in_the_folder_is_found(tmp_path, name):
    data = picture(300, 300, image_format="PNG" if name.endswith("png") else "JPEG")
    (tmp_path / name).write_bytes(data)
    (tmp_path / "back.jpg").write_bytes(picture(10, 10))
    result = found(folder_artwork(os.fsencode(tmp_path)))
    assert result.picture.data == data and result.picture.source == f"sidecar {name}"


def test_cover_wins_over_folder_and_a_folder_without_one_has_none(tmp_path):
    (tmp_path / "folder.jpg").write_bytes(picture(50, 50))
    (tmp_path / "cover.png").write_bytes(cover := picture(60, 60, image_format="PNG"))
    assert found(folder_artwork(tmp_path)).picture.data == cover
    empty = tmp_path / "empty"
    empty.mkdir()
    assert found(folder_artwork(empty)) == ArtworkResult()


def test_a_sidecar_that_is_a_symbolic_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(picture(40, 40))
    album = tmp_path / "album"
    album.mkdir()
    (album / "cover.jpg").symlink_to(outside)
    result = found(folder_artwork(album))
    assert result.picture is None and "could not be opened" in result.problem


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    path = mp3_with_picture(tmp_path / "bomb.mp3", decompression_bomb_png(), mime="image/png")
    result = found(file_artwork(path, "audio/mpeg"))
    assert result.picture is None
    assert result.problem == "embedded picture is not a readable image (DecompressionBombError)"


def test_a_large_image_under_pillows_own_limit_is_still_refused(tmp_path):
    path = tmp_path / "cover.png"
    path.write_bytes(decompression_bomb_png(6000, 6000))  # 36 megapixels
    result = found(folder_artwork(tmp_path))
    assert result.picture is None
    assert result.problem == "sidecar cover.png picture is 6000×6000 pixels, more than 25 megapixels"


def test_a_truncated_jpeg_is_refused(tmp_path):
    result = found(file_artwork(mp3_with_picture(tmp_path / "cut.mp3", truncated_jpeg()), "audio/mpeg"))
    assert result.picture is None
    assert result.problem.startswith("embedded picture could not be decoded: image file is truncated")


def test_a_100_mb_embedded_picture_is_refused_before_it_is_read(tmp_path):
    huge = picture(10, 10)[:-2] + os.urandom(100 * 1024 * 1024) + b"\xff\xd9"
    path = mp3_with_picture(tmp_path / "huge.mp3", huge)
    assert os.path.getsize(path) > 100 * 1024 * 1024
    result = found(file_artwork(path, "audio/mpeg"))
    assert result.picture is None and result.problem == "embedded tags are 100 MiB, larger than any picture kept"


def test_an_oversized_sidecar_or_comic_page_is_refused_unread(tmp_path):
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8" + bytes(MAX_PICTURE_BYTES))
    assert found(folder_artwork(tmp_path)).problem == "sidecar cover.jpg is larger than 16 MiB"
    path = cbz(tmp_path / "big.cbz", {"001.jpg": b"\xff\xd8" + bytes(MAX_PICTURE_BYTES)})
    assert found(file_artwork(path, "application/vnd.comicbook+zip")).problem == "comic page picture is larger than 16 MiB"


def test_a_picture_that_is_no_image_is_refused(tmp_path):
    result = found(file_artwork(mp3_with_picture(tmp_path / "text.mp3", b"<svg onload=alert(1)>"), "audio/mpeg"))
    assert result.problem == "embedded picture is not a readable image (UnidentifiedImageError)"


def test_a_bmp_picture_is_kept_as_png(tmp_path):
    (tmp_path / "cover.gif").write_bytes(picture(30, 20, image_format="BMP"))
    result = found(folder_artwork(tmp_path))
    assert result.picture.mime_type == "image/png"
    assert decoded(result.picture.data) == ("PNG", 30, 20)
