"""Save every page at 1440 px (desktop) and 390 px (a phone), in Chinese and in English, into docs/screenshots/
(light theme, demo data): `<page>.<lang>.png` and `<page>.<lang>.phone.png`.

    make screenshots      # builds the demo warehouse first if there is none
    .venv/bin/python scripts/screenshots.py work_queue brand    # only these pages (names as in SHOTS)
"""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data_access.config import warehouse_url  # noqa: E402
from tests.browser_support import StreamlitServer, browser_missing_reason, launch_chromium, wait_for_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# name, path and query: a manager's quarterly review of Q2 2021, a year by quarter, one brand, the directory
SHOTS = (
    ("overview", "overview", "preset=custom&from=2021-01-01&to=2021-06-30&grain=quarter"),
    ("onboarding", "onboarding", "preset=custom&from=2020-01-01&to=2021-12-31&grain=quarter"),
    ("sales", "sales", "preset=custom&from=2021-04-01&to=2021-06-30&grain=month"),
    ("providers", "providers", "preset=custom&from=2021-04-01&to=2021-06-30"),
    ("steps", "steps", "belt=linyi-apparel&belt=yiwu-small-goods"),
    ("work_queue", "work_queue", ""),
    ("brand", "brand", "brand=463&preset=custom&from=2021-01-01&to=2021-12-31&grain=quarter"),
    ("brand-directory", "brand", "preset=last_quarter"),
    ("trust-roi", "trust_roi", "preset=custom&from=2021-01-01&to=2021-12-31&grain=quarter"),
)
VIEWPORTS = (("", 1440, 900), (".phone", 390, 1200))  # a phone's shot is taller: the tiles stack
LANGS = ("zh", "en")


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
            for suffix, width, height in VIEWPORTS:
                page = browser.new_page(viewport={"width": width, "height": height}, color_scheme="light",
                                        is_mobile=width < 640, has_touch=width < 640)
                for lang in LANGS:
                    for name, path, query in shots:
                        page.goto(f"{server.base_url}/{path}?lang={lang}" + (f"&{query}" if query else ""))
                        wait_for_app(page)
                        page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').first \
                            .wait_for(timeout=120_000)
                        page.wait_for_timeout(1500)  # charts finish their first paint
                        target = OUT / f"{name}.{lang}{suffix}.png"
                        page.screenshot(path=target)
                        print(f"screenshots: {target}")
                page.close()
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
