"""Properties of the path validator (security/paths.py): nothing it accepts leaves the places a
library may live, however the path is spelled."""

import os
from pathlib import PurePosixPath

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from security.paths import PathRefused, check_syntax, validate_path
from tests.path_readings import readings

#: Where a library may never be, nor contain, nor lie inside: the README's list, written out here
#: (the top-level ``/lib*`` folders spelled one by one), not read from security/paths.py.
SYSTEM_DIRECTORIES = (
    "/etc", "/usr", "/bin", "/sbin", "/boot", "/root", "/proc", "/sys", "/dev", "/run", "/var/lib", "/var/log",
    "/lib", "/lib32", "/lib64", "/libx32", "/libexec", "/System", "/Library",
)
DATA_DIR = "/srv/engine-data"


def inside(path, directory):
    """``path`` is ``directory`` or below it, ignoring case as macOS volumes do (pathlib decides)."""
    return PurePosixPath(path.casefold()).is_relative_to(PurePosixPath(directory.casefold()))


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\\x00"), min_size=1, max_size=12)
plain_names = st.from_regex(r"\A[A-Za-z0-9 _-]{1,12}\Z")
DOT_DOTS = ["..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%25252e%25252e", "%c0%ae%c0%ae", "\uff0e\uff0e", "..\\", "\u2024\u2024"]
fixture_ok = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@given(st.one_of(st.text(max_size=80), st.lists(names, max_size=6).map(lambda parts: "/" + "/".join(parts))))
def test_any_text_is_refused_with_a_code_or_accepted_as_a_safe_absolute_path(raw):
    try:
        real = validate_path(raw, data_dir=DATA_DIR)
    except PathRefused as refusal:
        assert refusal.code and refusal.detail
        return
    assert os.path.isabs(real)
    for form in readings(raw):
        assert ".." not in form.split("/"), (raw, form)
    for directory in SYSTEM_DIRECTORIES:
        assert not inside(real, directory) and not inside(directory, real), (raw, real)
    assert not inside(real, DATA_DIR) and not inside(DATA_DIR, real)
    assert real not in ("/", "/home", "/tmp")


@given(st.lists(plain_names, min_size=1, max_size=4), st.sampled_from(DOT_DOTS), st.lists(plain_names, max_size=3))
def test_a_dot_dot_segment_in_any_encoding_is_refused(before, dot_dot, after):
    raw = "/" + "/".join([*before, dot_dot, *after])
    with pytest.raises(PathRefused):
        check_syntax(raw)


@given(st.sampled_from(SYSTEM_DIRECTORIES), st.lists(plain_names, max_size=3), st.sampled_from(["/", "//", "/./"]),
       st.booleans())
def test_system_directories_and_anything_inside_are_refused(directory, below, joiner, upper):
    raw = (directory.upper() if upper else directory) + joiner + "/".join(below)
    with pytest.raises(PathRefused):
        validate_path(raw, data_dir=DATA_DIR)


@given(st.sampled_from(["/var", "/", "/home", "/tmp", "/srv"]))
def test_a_folder_that_contains_a_system_directory_or_the_data_is_refused(parent):
    with pytest.raises(PathRefused):
        validate_path(parent, data_dir=DATA_DIR)


@fixture_ok
@given(st.sampled_from(["/etc", "/usr", "/root", "/proc"]), plain_names)
def test_a_symlink_to_a_system_directory_is_refused(tmp_path_factory, target, name):
    base = tmp_path_factory.mktemp("links")
    link = base / "music"
    link.symlink_to(target)
    with pytest.raises(PathRefused):
        validate_path(str(link), data_dir=DATA_DIR)
    with pytest.raises(PathRefused):
        validate_path(f"{link}/{name}", data_dir=DATA_DIR)


@fixture_ok
@given(st.lists(plain_names, min_size=1, max_size=3))
def test_an_ordinary_folder_below_a_library_parent_is_accepted_as_its_real_path(tmp_path_factory, parts):
    base = tmp_path_factory.mktemp("library")
    raw = os.path.join(str(base), *parts)
    assert validate_path(raw, data_dir=DATA_DIR) == os.path.realpath(raw)
