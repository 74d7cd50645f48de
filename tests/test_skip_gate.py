"""The CI gate on skipped service tests (tests/skip_gate.py), run on a small inner suite."""

import pytest

pytest_plugins = ["pytester"]

INNER = """
import pytest

@pytest.mark.services
def test_needs_a_server():
    pytest.skip("SKIPPED LOUDLY: frobd is not installed; this test needs a real frobd.")

def test_plain():
    pass
"""


@pytest.fixture
def inner(pytester, monkeypatch):
    pytester.makeini("[pytest]\nmarkers =\n    services: needs servers\n")
    pytester.makepyfile(test_inner=INNER)
    monkeypatch.setenv("MEDIA_ENGINE_ALLOWED_SKIPS", str(pytester.path / "allowed.txt"))
    return pytester


def run(inner, *args):
    return inner.runpytest_inprocess("-p", "no:django", "-p", "no:asyncio", "-p", "tests.skip_gate", *args)


def test_a_skipped_service_test_fails_a_strict_run_and_is_named(inner, monkeypatch):
    monkeypatch.setenv("MEDIA_ENGINE_STRICT_SKIPS", "1")
    result = run(inner, "-rs")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*test_inner.py::test_needs_a_server: SKIPPED LOUDLY: frobd is not installed*"])


def test_an_allowed_skip_passes_a_strict_run(inner, monkeypatch):
    monkeypatch.setenv("MEDIA_ENGINE_STRICT_SKIPS", "1")
    (inner.path / "allowed.txt").write_text("test_inner.py::test_needs_a_server  # frobd has no Debian package\n")
    assert run(inner).ret == pytest.ExitCode.OK


def test_outside_ci_a_skip_stays_a_skip(inner, monkeypatch):
    monkeypatch.delenv("MEDIA_ENGINE_STRICT_SKIPS", raising=False)
    result = run(inner, "-rs")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["SKIPPED*SKIPPED LOUDLY: frobd is not installed*"])
