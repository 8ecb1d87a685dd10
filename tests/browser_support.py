"""A real Streamlit server and a real Chromium, for the browser tests and the screenshots."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
# Every wait a browser test does without naming its own: generous, since CI shares 2 cores with the server
# and ten Chromium pages (a navigation waited 30 s, Playwright's default, and failed under load).
PATIENCE_MS = 300_000


def patient(context):
    """A browser context whose navigations and waits tolerate a slow, shared machine."""
    context.set_default_timeout(PATIENCE_MS)
    context.set_default_navigation_timeout(PATIENCE_MS)
    return context


def browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (make test installs it with apt-get when run as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (requirements-test.txt)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """`streamlit run serve.py` (as `make run` serves the app) on 127.0.0.1:<free port>, stopped by its PID.

    `root`: the project folder to serve from (a copy, for a test that needs its own .streamlit/)."""

    def __init__(self, warehouse_url: str, log_path: Path, env: dict[str, str] | None = None,
                 root: Path = ROOT, script: str = "serve.py"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, "WAREHOUSE_URL": warehouse_url, **(env or {})}
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log_path.read_text()[-2000:]
                raise RuntimeError(f"streamlit exited with {self.process.returncode}: {log}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.3)
        raise RuntimeError(f"streamlit was not healthy within {timeout}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)


def wait_for_app(page, timeout: float = PATIENCE_MS) -> None:
    """Until the app is connected and its script has finished running."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            return !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]');
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(300)  # let the last deltas paint


def download(page, button, patience_ms: float = PATIENCE_MS):
    """Click a download button until the browser receives its file; that download. On a loaded machine a
    click that lands while a rerun redraws the page can be lost (the final run of 2026-12-07 waited 300 s for
    one); clicking a download button again is harmless."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    deadline = time.monotonic() + patience_ms / 1000
    while True:
        wait_for_app(page)
        try:
            with page.expect_download(timeout=30_000) as started:
                button.click()
            return started.value
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise


# What the tables draw: st.dataframe paints its cells on a canvas, so the texts are recorded as they are drawn
# (add_init_script before the page loads; `grid_texts` reads them).
RECORD_GRID_TEXTS = """(() => {
  const seen = new Set();
  window.__gridTexts = seen;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    const canvas = this.canvas;
    if (canvas && canvas.closest && canvas.closest('[data-testid="stDataFrame"]')) seen.add(String(text));
    return fillText.call(this, text, ...rest);
  };
})();"""


def grid_texts(page) -> set[str]:
    """Every text the page's tables have drawn so far (RECORD_GRID_TEXTS must be in the page's init scripts)."""
    return set(page.evaluate("() => Array.from(window.__gridTexts || [])"))


def truncated_tile_texts(page) -> list[str]:
    """Texts of the page's KPI tiles (st.metric and the trail lines under it) that do not fit their box: an
    element whose content is wider than it (Streamlit cuts such text with an ellipsis)."""
    return page.evaluate("""() => {
        const out = new Set();
        for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
            const tile = metric.closest('[data-testid="stVerticalBlock"]') || metric;
            const caption = '[data-testid="stCaptionContainer"]';
            const lines = tile.querySelectorAll(`${caption}, ${caption} *`);
            for (const el of [metric, ...metric.querySelectorAll('*'), ...lines]) {
                const cut = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
                if (cut) out.add(el.textContent.trim().slice(0, 80));
            }
        }
        return [...out];
    }""")


__all__ = ["RECORD_GRID_TEXTS", "StreamlitServer", "browser_missing_reason", "grid_texts", "launch_chromium",
           "truncated_tile_texts", "wait_for_app"]
