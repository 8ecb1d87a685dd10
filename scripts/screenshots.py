"""Save one PNG per page (1440×900, light theme, demo data) into docs/screenshots/.

    make screenshots      # builds the demo warehouse first if there is none
    .venv/bin/python scripts/screenshots.py work_queue brand    # only these (names as in SHOTS)
"""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data_access.config import warehouse_url  # noqa: E402
from tests.browser_support import StreamlitServer, browser_missing_reason, launch_chromium, wait_for_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# name, path and query: a regional operator's view of H1 2021 in Chinese, a manager's in English
SHOTS = (
    ("overview", "overview", "lang=zh&preset=custom&from=2021-04-01&to=2021-06-30&grain=month"),
    ("onboarding", "onboarding", "lang=zh&preset=custom&from=2020-01-01&to=2021-12-31&grain=quarter"),
    ("sales", "sales", "lang=en&preset=custom&from=2021-04-01&to=2021-06-30&grain=month"),
    ("providers", "providers", "lang=en&preset=custom&from=2021-04-01&to=2021-06-30"),
    ("steps", "steps", "lang=zh&belt=linyi-apparel&belt=yiwu-small-goods"),
    ("work_queue", "work_queue", "lang=zh"),
    ("brand", "brand", "lang=zh&brand=1&preset=custom&from=2021-01-01&to=2021-12-31&grain=month"),
    ("trust-roi", "trust_roi", "lang=en&preset=custom&from=2021-01-01&to=2021-12-31&grain=quarter"),
)


def main(only: list[str]) -> int:
    shots = [shot for shot in SHOTS if not only or shot[0] in only]
    reason = browser_missing_reason()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright
    OUT.mkdir(parents=True, exist_ok=True)
    server = StreamlitServer(warehouse_url(), Path(tempfile.mkdtemp()) / "streamlit.log")
    try:
        server.wait_healthy()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, color_scheme="light")
            for name, path, query in shots:
                page.goto(f"{server.base_url}/{path}?{query}")
                wait_for_app(page)
                page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg') \
                    .first.wait_for(timeout=60_000)
                page.wait_for_timeout(1500)  # charts finish their first paint
                page.screenshot(path=OUT / f"{name}.png")
                print(f"screenshots: {OUT / name}.png")
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
