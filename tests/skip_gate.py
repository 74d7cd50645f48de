"""A service test that skips fails the run where every service must be there (CI).

Tests that start real servers skip loudly when a program cannot be had; on a developer's machine
that is a fair answer, in CI it hides a missing install step behind a green run. With
``MEDIA_ENGINE_STRICT_SKIPS=1`` (``.ci/run`` sets it) a skipped test marked ``services``, or one
skipped for a missing program, fails the run unless its node id is listed in
tests/allowed_skips.txt (empty by default; ``MEDIA_ENGINE_ALLOWED_SKIPS`` names another file).
"""

import os
from pathlib import Path

import pytest

ALLOWED_SKIPS = Path(__file__).with_name("allowed_skips.txt")
LOUD = "SKIPPED LOUDLY"


def allowed_skips():
    path = Path(os.environ.get("MEDIA_ENGINE_ALLOWED_SKIPS", ALLOWED_SKIPS))
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def strict():
    return os.environ.get("MEDIA_ENGINE_STRICT_SKIPS", "").strip().lower() in ("1", "true", "yes")


class SkipGate:
    def __init__(self):
        self.unexpected = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        if not report.skipped:
            return
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        if ("services" in report.keywords or LOUD in reason) and report.nodeid not in allowed_skips():
            self.unexpected.append((report.nodeid, reason))

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter):
        if strict() and self.unexpected:
            terminalreporter.section("service tests skipped (not in tests/allowed_skips.txt)", red=True)
            for nodeid, reason in self.unexpected:
                terminalreporter.line(f"{nodeid}: {reason}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if strict() and self.unexpected and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config):
    config.pluginmanager.register(SkipGate(), "media-engine-skip-gate")
