"""The browser fixture of the end-to-end tests (loaded with `pytest_plugins` by tests/test_browser*.py).

`browser`: Debian's Chromium driven by Playwright, one per test module. Without Chromium the tests are
skipped with the reason, except under CI=true, where a missing browser fails the run rather than hide."""
from __future__ import annotations

import os

import pytest

from tests.browser_support import browser_missing_reason, launch_chromium


@pytest.fixture(scope="module")
def browser():
    reason = browser_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
