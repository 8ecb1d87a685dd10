"""beltboard's server: `streamlit run serve.py` serves dashboard.py (as `make run` does), with two guards
that a bare `streamlit run dashboard.py` lacks.

1. At start (the ASGI lifespan) it settles whether this server has access control and says which in
   its log (ui.identity.at_server_start): a roles file or [auth] in secrets.toml configures it for as
   long as the server runs, so a roles file deleted later means nobody sees data, never local mode.
2. A path below a page (`/brand/12`, `/pages/brand.py`) would get Streamlit's index.html with its
   `./static/…` assets resolved under that path, which answer with HTML: a blank page. Such a path is
   redirected to `/page-not-found?path=…`, which the frame answers with a "page not found" notice and
   links to every page (dashboard.py).
"""
from __future__ import annotations

import contextlib
import logging
import urllib.parse

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse

from ui import identity
from ui.not_found import NOT_FOUND_PATH

# Path segments of Streamlit's own routes (its API, media, components, assets, sign-in). The frontend also
# probes them below the page it is on (`/sales/_stcore/health`) to find the app's base path: leave those be.
STREAMLIT_ROUTES = frozenset({"_stcore", "media", "component", "static", "app", "auth"})


def _log_to_stderr() -> None:
    logger = logging.getLogger("beltboard")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s beltboard %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


@contextlib.asynccontextmanager
async def lifespan(_app):
    _log_to_stderr()
    identity.at_server_start()
    yield


class PagesAreOneLevelDeep:
    """Redirect a GET below a page (two or more path segments, none of Streamlit's own routes) to the
    frame's "page not found" notice, keeping the query and naming the path asked for."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            segments = [s for s in scope["path"].split("/") if s]
            if len(segments) > 1 and not STREAMLIT_ROUTES.intersection(segments):
                query = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                               keep_blank_values=True)
                query = [(k, v) for k, v in query if k != "path"] + [("path", scope["path"])]
                target = f"/{NOT_FOUND_PATH}?{urllib.parse.urlencode(query)}"
                await RedirectResponse(target, status_code=307)(scope, receive, send)
                return
        await self.app(scope, receive, send)


app = st.App("dashboard.py", lifespan=lifespan, middleware=[Middleware(PagesAreOneLevelDeep)])
