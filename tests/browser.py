"""Debian's Chromium driven by Playwright, for tests that use the engine as a person would.

The browser is the distribution's ``/usr/bin/chromium`` (``.ci/run`` installs it); Playwright's
Python package only drives it, and never downloads a browser of its own. Each test gets a fresh
profile. :func:`step` names what the test is doing; when a step fails, a screenshot and the page's
HTML are kept under the run's temporary folder and their paths are added to the failure.
"""

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@pytest.fixture(scope="module")
def playwright_driver():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"SKIPPED LOUDLY: {CHROMIUM} is not installed (Debian package chromium); these tests need a real browser.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("SKIPPED LOUDLY: the playwright package (test extra) is not installed.")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver, tmp_path):
    """A Chromium with a fresh user-data directory, closed after the test."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser):
    return browser.pages[0] if browser.pages else browser.new_page()


@pytest.fixture
def artifacts(tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "browser-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def step(page, artifacts, name):
    """Run one user-visible step; on failure keep a screenshot and the HTML of the page."""
    try:
        yield
    except BaseException as failure:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:60]
        handle, shot = tempfile.mkstemp(prefix=f"{stem}-", suffix=".png", dir=artifacts)
        os.close(handle)
        kept = [shot]
        try:
            page.screenshot(path=shot, full_page=True)
            html = Path(shot).with_suffix(".html")
            html.write_text(page.content())
            kept.append(str(html))
        except Exception as exc:  # a crashed page still fails the test with its own error
            kept.append(f"(could not capture the page: {exc})")
        failure.add_note(f"browser step {name!r} failed at {page.url}; kept: {', '.join(kept)}")
        raise
