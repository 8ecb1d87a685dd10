"""A raw Streamlit client: one WebSocket to a running `streamlit run`, the BackMsgs a browser sends, and
the text of what the server sends back.

A browser (and Playwright's extra_http_headers) sends each header once; this client sends exactly the
headers it is given, duplicates included (`headers` is a list of pairs), and any BackMsg, such as the
`clear_cache` that Streamlit's menu sends. It speaks the same protobuf protocol as the frontend
(streamlit.proto), so the server cannot tell it from a browser.
"""
from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

# Element kinds whose `body` is text a reader sees.
TEXT_ELEMENTS = ("markdown", "heading", "alert", "text", "code", "toast")


def visible(markdown: str) -> str:
    """What a reader sees of a Markdown body the app escaped: no backslash escapes, no code-span backticks, no
    word joiners."""
    return re.sub(r"\\(.)|`", r"\1", markdown).replace("\u2060", "")


@dataclass
class Run:
    """What one script run sent: every text as a reader sees it, the element kinds, and the raw messages."""
    texts: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    messages: list[ForwardMsg] = field(default_factory=list)
    page_not_found: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


class StreamlitClient:
    """`with StreamlitClient(base_url, headers=[("X-Forwarded-Email", "a@b")]) as client: client.run("sales")`."""

    def __init__(self, base_url: str, headers: list[tuple[str, str]] | None = None, timeout: float = 90):
        url = urllib.parse.urlparse(base_url)
        self.ws_url = f"ws://{url.netloc}/_stcore/stream"
        self.headers = list(headers or [])
        self.timeout = timeout
        self.ws = None

    def __enter__(self) -> StreamlitClient:
        self._connection = connect(self.ws_url, subprotocols=["streamlit"], additional_headers=self.headers,
                                   open_timeout=self.timeout, max_size=None)
        self.ws = self._connection.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._connection.__exit__(*exc)

    def send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def clear_cache(self) -> None:
        """What Streamlit's "Clear cache" menu item (and its `c` shortcut) sends."""
        msg = BackMsg()
        msg.clear_cache = True
        self.send(msg)

    def run(self, page: str = "", query: dict | None = None) -> Run:
        """Ask for a run of the page at /<page>?<query>, as a browser's first load does; the run's output."""
        msg = BackMsg()
        msg.rerun_script.query_string = urllib.parse.urlencode(query or {}, doseq=True)
        msg.rerun_script.page_name = page
        self.send(msg)
        return self.collect()

    def collect(self) -> Run:
        """Messages until the script run finishes (a rerun it asks for is followed too)."""
        run = Run()
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout}s; got {run.kinds}")
            msg = ForwardMsg()
            msg.ParseFromString(self.ws.recv(timeout=remaining))
            run.messages.append(msg)
            kind = msg.WhichOneof("type")
            if kind == "page_not_found":
                run.page_not_found = True
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                element_kind = element.WhichOneof("type")
                run.kinds.append(element_kind)
                if element_kind in TEXT_ELEMENTS:
                    run.texts.append(visible(getattr(element, element_kind).body))
                elif element_kind == "exception":
                    run.texts.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "script_finished":
                finished = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if finished != "FINISHED_EARLY_FOR_RERUN":
                    return run
