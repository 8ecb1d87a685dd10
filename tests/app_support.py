"""Helpers for the AppTests of the dashboard (fixtures are in tests/conftest_app.py)."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from data_access.warehouse.connection import Warehouse

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
DEMO_ORDERS = 20_000
DEMO_SEED = 11


@dataclass
class AppWarehouse:
    url: str
    wh: Warehouse
    frames: dict[str, pd.DataFrame] = field(repr=False)

    @property
    def as_of(self) -> dt.date:
        return self.wh.as_of()


class RecordingMediaStorage(MemoryMediaFileStorage):
    """The AppTest's media storage, kept so a test can read what a download button serves."""
    latest: RecordingMediaStorage | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingMediaStorage.latest = self


def download_bytes(at: AppTest, key: str) -> bytes:
    """The bytes the download button with this key serves (written when clicked, as a click would ask)."""
    buttons = [b for b in at.get("download_button") if b.key == key]
    assert buttons, f"no download button {key!r}; have {[b.key for b in at.get('download_button')]}"
    if buttons[0].proto.deferred_file_id:
        return deferred_bytes(at, key)
    url = buttons[0].proto.url
    return RecordingMediaStorage.latest.get_file(url.rsplit("/", 1)[-1]).content


class RecordingMediaFileManager(MediaFileManager):
    """The AppTests' media file managers (one per run), kept so a test can run a deferred download as a click
    would, whichever run registered it."""
    recent: list[RecordingMediaFileManager] = []

    def __init__(self, storage, *args, **kwargs):
        super().__init__(storage, *args, **kwargs)
        self.storage = storage
        RecordingMediaFileManager.recent = [*RecordingMediaFileManager.recent[-49:], self]


def deferred_bytes(at: AppTest, key: str) -> bytes:
    """What a deferred download button (its file written when clicked: the Excel downloads) serves, as a click
    would ask the server for it."""
    buttons = [b for b in at.get("download_button") if b.key == key]
    assert buttons, f"no download button {key!r}; have {[b.key for b in at.get('download_button')]}"
    file_id = buttons[0].proto.deferred_file_id
    assert file_id, f"{key!r} is not a deferred download"
    manager = next((m for m in reversed(RecordingMediaFileManager.recent) if file_id in m._deferred_callables), None)
    assert manager is not None, f"{key!r}: no run registered its file"
    url = manager.execute_deferred(file_id)
    return manager.storage.get_file(url.rsplit("/", 1)[-1]).content


def cli_export(url: str, report: str, *args: str) -> bytes:
    """`python -m data_access export REPORT ARGS…` against the warehouse at `url`: its stdout."""
    env = {**os.environ, "WAREHOUSE_URL": url}
    done = subprocess.run([sys.executable, "-m", "data_access", "export", report, *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def texts(at: AppTest) -> str:
    """Every piece of visible text of a run, for "does the page say …" checks."""
    parts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    for m in at.metric:
        parts += [m.label, m.value, m.proto.delta, m.proto.delta_description]
    return "\n".join(parts)


def sidebar_texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.sidebar.caption)


def metric(at: AppTest, label_start: str):
    found = [m for m in at.metric if m.label.startswith(label_start)]
    assert found, f"no tile starting {label_start!r}; have {[m.label for m in at.metric]}"
    return found[0]


def tiles(at: AppTest) -> list[tuple]:
    """(st.metric, its trail lines) of every tile: the captions in the bordered block that holds the metric, shown
    as plain text (Markdown escapes undone)."""
    def blocks(node):
        children = getattr(node, "children", None)
        if children is None:
            return
        yield node
        for child in children.values():
            yield from blocks(child)

    out = []
    for block in blocks(at.main):
        kids = list(block.children.values())
        lines = [re.sub(r"\\(.)", r"\1", line) for k in kids if getattr(k, "type", "") == "caption"
                 for line in str(k.value).split("  \n")]
        out += [(k, lines) for k in kids if getattr(k, "type", "") == "metric"]
    return out


def tile_lines(at: AppTest, label_start: str) -> list[str]:
    """The trail lines under the first tile whose label starts with `label_start`."""
    found = [lines for m, lines in tiles(at) if m.label.startswith(label_start)]
    assert found, f"no tile starting {label_start!r}"
    return found[0]


def last_full_period(date_from: dt.date, date_to: dt.date, grain: str) -> dt.date:
    """Independently of ui.widgets: the last period overlapping the range that ends by `to`."""
    starts = pd.period_range(pd.Timestamp(date_from), pd.Timestamp(date_to),
                             freq={"month": "M", "quarter": "Q", "year": "Y"}[grain])
    full = [p for p in starts if p.end_time.date() <= date_to]
    return (full[-1] if full else starts[-1]).start_time.date()


def previous_period(start: dt.date, grain: str, n: int = 1) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * n
    return (pd.Timestamp(start) - pd.DateOffset(months=months)).date()


def period_end(start: dt.date, grain: str) -> dt.date:
    return (pd.Timestamp(previous_period(start, grain, -1)) - pd.Timedelta(days=1)).date()


def row(df: pd.DataFrame, period: dt.date) -> pd.Series:
    rows = df[pd.to_datetime(df["period_start"]).dt.date == period]
    assert len(rows) == 1, f"no single row for {period}"
    return rows.iloc[0]


def nothing_matches(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """URL parameters of a belt and a category that no brand has together: the filters match nothing."""
    brands = frames["brands"]
    held = set(zip(brands["belt_id"].dropna(), brands["category"]))
    for belt in sorted(frames["industry_belts"]["belt_id"]):
        for category in ("electronics", "agri", "food", "jewelry", "beauty"):
            if (belt, category) not in held:
                return {"belt": belt, "category": category}
    raise AssertionError("every belt holds every category")


def busiest_belt(frames: dict[str, pd.DataFrame]) -> str:
    return str(frames["brands"]["belt_id"].value_counts().index[0])


def click_chart_selection(at: AppTest, key_start: str, selection: dict) -> AppTest:
    """Rerun as the browser does after a click on a chart with on_select="rerun".

    The frontend sends the chart's selection state as a JSON string inside the widget's JSON value.
    """
    import json

    charts = []

    def collect(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "vega_lite_chart" and key_start in child.proto.id:
                charts.append(child)
            collect(child)

    collect(at._tree)
    assert charts, f"no chart with key {key_start!r}"
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = charts[0].proto.id
    state.json_value = json.dumps(json.dumps({"selection": selection}))
    return at._run(states)


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data of every Altair chart of a run (Streamlit ships it beside the spec, as Arrow)."""
    from streamlit import dataframe_util

    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frames.append(dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data))
        if chart.proto.data.data:
            frames.append(dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.data.data))
    return frames


def untranslated_columns(at: AppTest) -> list[str]:
    """Table column headers still showing a field name (a word with "_") instead of words."""
    import json

    bad = []
    for table in at.dataframe:
        config = json.loads(table.proto.columns) if table.proto.columns else {}
        for column, options in config.items():
            label = (options or {}).get("label")
            if column != "_index" and (label is None or "_" in label):
                bad.append(f"{column}: {label!r}")
    return bad


EMPTY_COLUMNS = ("completed step", "campaign", "provider", "orders")


def filters_leaving_empty(frames: dict[str, pd.DataFrame], what: str) -> dict[str, str]:
    """URL parameters of ordinary filters (a belt, a category, who runs the brand; the fewest that do) whose
    brands, onboarded by the as-of date, have no `what` (one of EMPTY_COLUMNS): no completed current step,
    no campaign, no provider, no orders. Found in the raw frames, independently of the app."""
    import itertools

    brands, orders = frames["brands"], frames["orders"]
    as_of = pd.Timestamp(orders["ordered_at"].max()).date()
    brands = brands[brands["onboarded_on"] <= as_of]
    milestones = frames["steps_milestones"]
    reached = milestones[milestones["started_on"] <= as_of].sort_values("step").groupby("brand_id").tail(1)
    done = {b for b, c in zip(reached["brand_id"], reached["completed_on"]) if c is not None and c <= as_of}
    having = {"completed step": done, "campaign": set(frames["campaigns"]["brand_id"]),
              "provider": set(frames["provider_assignments"]["brand_id"]), "orders": set(orders["brand_id"])}[what]
    has = brands["brand_id"].isin(having).to_numpy()
    choices = {"belt": [None, *sorted(brands["belt_id"].dropna().unique()), "none"],
               "category": [None, *sorted(brands["category"].unique())],
               "managed_by": [None, *sorted(brands["managed_by"].unique())]}
    columns = {"belt": brands["belt_id"].fillna("none").to_numpy(), "category": brands["category"].to_numpy(),
               "managed_by": brands["managed_by"].to_numpy()}
    combos = sorted(itertools.product(*choices.values()), key=lambda c: sum(v is not None for v in c))
    for combo in combos:
        keep = np.ones(len(brands), dtype=bool)
        for key, value in zip(choices, combo):
            if value is not None:
                keep &= columns[key] == value
        if keep.any() and not has[keep].any():
            return {key: value for key, value in zip(choices, combo) if value is not None}
    raise AssertionError(f"no ordinary filters leave {what!r} empty")


def brand_without_anything(frames: dict[str, pd.DataFrame]) -> int:
    """A brand onboarded by the as-of date with no order, campaign, provider or STEPS milestone."""
    brands, orders = frames["brands"], frames["orders"]
    as_of = pd.Timestamp(orders["ordered_at"].max()).date()
    busy = set(orders["brand_id"]) | set(frames["campaigns"]["brand_id"]) | \
        set(frames["provider_assignments"]["brand_id"]) | set(frames["steps_milestones"]["brand_id"])
    idle = [int(b) for b, on in zip(brands["brand_id"], brands["onboarded_on"]) if on <= as_of and b not in busy]
    assert idle, "every brand has something"
    return idle[0]
