"""Every path a client sends goes through security.paths: a traversal corpus gets 400 and stores
nothing, at both /settings/folders and /settings/test-path; legitimate names are accepted."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from library.models import LibraryRoot
from security import paths
from security.audit import AuditEntry
from tests.path_readings import readings

TRAVERSALS = [
    "{base}/../x", "{base}/..", "{base}/a/../../x", "{base}/..//x", "{base}/x/..",
    "{base}/%2e%2e/x", "{base}/%2E%2E/x", "{base}/.%2e/x", "{base}/%2e./x", "{base}/%2e%2e%2fx",
    "{base}/%2e%2e%5cx", "{base}%2f%2e%2e%2fx", "{base}/%252e%252e/x", "{base}/%25252e%25252e/x",
    "{base}/%252e%252e%252fx", "{base}/%c0%ae%c0%ae/x", "{base}/%c0%2e%c0%2e/x", "{base}/%e0%80%ae%e0%80%ae/x",
    "{base}/%f0%80%80%ae%f0%80%80%ae/x", "{base}/%c0%ae%c0%ae%c0%afx", "{base}/%25c0%25ae%25c0%25ae/x",
    "{base}/..\\x", "{base}\\..\\x", "{base}/x\\..", "{base}/..%5cx", "{base}/%5c..%5cx",
    "{base}/\uff0e\uff0e/x", "{base}/\u2024\u2024/x", "{base}/\ufe52\ufe52/x", "{base}/\u2025/x",
    "{base}/\uff0e./x", "{base}/.\u2024/x", "{base}/\uff0e\uff0e\uff0fx", "{base}\uff0f..\uff0fx",
    "{base}/x\uff0fy", "{base}/x\uff3cy", "{base}/x\ufe68y", "{base}/%ef%bc%8e%ef%bc%8e/x",
    "{base}/%e2%80%a5/x", "..", "../etc", "./x", "x", "~/Music", "", " {base}", "\t{base}",
    "Music/{base}", "C:\\Windows", "c:/windows/system32", "C:", "D:\\Media", "\\\\server\\share",
    "//server/share", "\\\\?\\C:\\Windows", "\\\\.\\COM1", "\\\\?\\UNC\\server\\share", "/\\server",
    "{base}\x00/x", "{base}/x\x00", "{base}\n", "{base}/\r", "{base}/\x1b[31m", "{base}/\x7f", "{base}/\x85",
    "{base}/\u2028", "{base}/\udc80", "/" + "a" * 5000, "{base}/" + "b" * 256, "{base}/" + "é" * 128,
    "/", "//", "///", "/.", "/./", "/etc", "//etc", "/./etc", "/etc/", "/etc/.", "/ETC", "/etc/ssl",
    "/usr", "/usr/share/music", "/usr/lib", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32/x",
    "/boot", "/root", "/root/Music", "/proc", "/proc/self/cwd", "/sys/kernel", "/dev", "/dev/shm",
    "/run", "/run/user", "/var/lib", "/var/lib/docker", "/var/log", "/var/log/nginx", "/var",
    "/home", "/home/", "/tmp", "/tmp/", "//tmp", "/System", "/System/Library", "/Library/Music",
    "/private", "/private/etc", "/mnt/c/Windows", "/mnt/c/windows/System32", "/mnt/c/Program Files",
    "/mnt/d/Program Files (x86)/x", "/mnt/c/ProgramData", "{data_dir}", "{data_dir}/media",
    "{data_dir}/../{data_name}", "{link_etc}", "{link_etc}/ssl", "{link_root}", "{link_root}/etc",
    "{link_data}", "{link_home}", "{link_tmp}", "{link_chain}", "{link_proc}", "{link_usr_lib}",
    "{link_dotdot}",
]

LEGITIMATE = [
    "Artist: Live at Wembley", "R.E.M.", "AC⧸DC", "100% Hits", "%2e literally", "Beyoncé", "Björk",
    "坂本龍一", "東京事変 - 教育", "...And Justice for All", "Song…", "a..b", ".hidden", "..hidden",
    "Sigur Rós (2005)", "Motörhead", "Dvořák; Symphony No. 9", "Café del Mar Vol. 1", "C:drive fans",
    "Guns N' Roses", "Mötley Crüe & Friends", "A#B$C", "space at end ",
]


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


@pytest.fixture
def corpus(tmp_path, settings):
    """The payloads, with real symlinks that lead to protected places."""
    base = tmp_path / "library"
    base.mkdir()
    data_dir = Path(settings.MEDIA_ENGINE["DATA_DIR"])
    links = tmp_path / "links"
    links.mkdir()
    targets = {
        "link_etc": "/etc", "link_root": "/", "link_data": str(data_dir), "link_home": "/home",
        "link_tmp": "/tmp", "link_proc": "/proc/self", "link_usr_lib": "/usr/lib",
    }
    values = {"base": str(base), "data_dir": str(data_dir), "data_name": data_dir.name}
    for name, target in targets.items():
        (links / name).symlink_to(target)
        values[name] = str(links / name)
    # A chain: link → link → /etc, and a link whose own target uses "..".
    (links / "chain_b").symlink_to(links / "link_etc")
    (links / "link_chain").symlink_to(links / "chain_b")
    values["link_chain"] = str(links / "link_chain")
    (links / "link_dotdot").symlink_to("../../../../../../../../etc")
    values["link_dotdot"] = str(links / "link_dotdot")
    return [payload.format(**values) for payload in TRAVERSALS]


def test_corpus_has_more_than_a_hundred_payloads(corpus):
    assert len(corpus) >= 100
    assert len(set(corpus)) == len(corpus)


def test_every_traversal_payload_is_refused_and_stores_nothing(local, corpus):
    accepted = []
    for payload in corpus:
        for url in ("/settings/folders", "/settings/test-path"):
            # ensure_ascii so lone surrogates travel as \\udc80 escapes, as a hostile client would send them
            body = json.dumps({"path": payload}, ensure_ascii=True)
            response = local.post(url, content=body, headers={"Content-Type": "application/json"})
            if response.status_code != 400 or set(response.json()) < {"detail", "code"}:
                accepted.append((url, payload, response.status_code))
    assert accepted == []
    assert LibraryRoot.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="folder.").exists()


def test_refusals_name_the_rule_broken(local, tmp_path):
    base = tmp_path / "music"
    base.mkdir()
    cases = {
        f"{base}/../x": "traversal",
        f"{base}/%252e%252e/x": "traversal",
        f"{base}/%c0%ae%c0%ae/x": "traversal",
        f"{base}/\uff0e\uff0e/x": "traversal",
        f"{base}/x\uff0fy": "lookalike_separator",
        "music": "relative_path",
        "C:\\Windows": "windows_drive",
        "\\\\server\\share": "unc_path",
        f"{base}/a\\b": "backslash",
        f"{base}/\x01": "control_character",
        "/" + "a" * 5000: "path_too_long",
        "//etc": "unc_path",
        "/./etc": "protected_path",
        "/home": "protected_path",
    }
    for payload, code in cases.items():
        response = local.post("/settings/test-path", json={"path": payload})
        assert (response.status_code, response.json()["code"]) == (400, code), payload


@pytest.mark.parametrize("name", LEGITIMATE)
def test_legitimate_names_are_accepted(local, tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    response = local.post("/settings/folders", json={"path": str(folder), "media_kind": "music"})
    assert response.status_code == 201, response.json()
    assert response.json()["path"] == str(folder)
    assert LibraryRoot.objects.get().path == str(folder)


def test_a_symlink_inside_an_allowed_place_is_stored_as_its_real_path(local, tmp_path):
    real = tmp_path / "disks" / "music"
    real.mkdir(parents=True)
    (tmp_path / "Music").symlink_to(real)
    response = local.post("/settings/folders", json={"path": str(tmp_path / "Music")})
    assert response.status_code == 201
    assert response.json()["path"] == str(real)


def test_folders_below_tmp_and_home_are_fine_but_not_their_parents():
    assert paths.check_location("/home/alice/Music") == "/home/alice/Music"
    assert paths.check_location("/tmp/x") == "/tmp/x"
    for refused in ("/home", "/tmp", "/"):
        with pytest.raises(paths.PathRefused):
            paths.check_location(refused)


def test_a_root_containing_a_system_directory_is_refused():
    with pytest.raises(paths.PathRefused):
        paths.check_location("/var")  # contains /var/lib and /var/log
    assert paths.check_location("/var/media") == "/var/media"
    assert paths.check_location("/srv/media") == "/srv/media"


def test_the_data_directory_and_anything_around_it_is_refused(tmp_path):
    data = tmp_path / "engine-data"
    data.mkdir()
    for candidate in (data, data / "sub", tmp_path):
        with pytest.raises(paths.PathRefused):
            paths.validate_path(str(candidate), data_dir=data)
    assert paths.validate_path(str(tmp_path / "media"), data_dir=data) == str(tmp_path / "media")


def test_test_path_reports_without_creating_anything(local, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    before = set(os.listdir(folder))
    answer = local.post("/settings/test-path", json={"path": str(folder)}).json()
    assert answer == {"path": str(folder), "exists": True, "is_dir": True, "readable": True, "writable": True}
    assert set(os.listdir(folder)) == before
    missing = local.post("/settings/test-path", json={"path": str(tmp_path / "nowhere")}).json()
    assert missing["exists"] is False and missing["is_dir"] is False
    assert not (tmp_path / "nowhere").exists()


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.text(min_size=0, max_size=80))
def test_the_validator_only_ever_refuses_with_path_refused_and_never_accepts_a_dot_dot(text):
    candidate = "/srv/" + text
    try:
        checked = paths.check_syntax(candidate)
    except paths.PathRefused as refused:
        assert refused.code
        return
    for form in readings(checked):
        assert ".." not in form.split("/")
    real = paths.resolve(checked)
    assert ".." not in real.split("/")


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.sampled_from(["/etc", "/usr", "/bin", "/boot", "/proc", "/sys", "/dev", "/run", "/var/lib", "/var/log", "/root", "/lib64"]),
       st.text(alphabet="abcXYZ._- ", max_size=20))
def test_nothing_below_a_system_directory_is_accepted(directory, tail):
    with pytest.raises(paths.PathRefused):
        paths.check_location(directory + "/" + tail)
