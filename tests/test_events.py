"""Platform events (data_access.metrics.events): the calendar file, the optional warehouse table, and the time charts
that
draw them (ui.charts) on every page, switchable in the sidebar and in the URL."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine

from data_access.metrics import events
from data_access.metrics.events import Event, EventsError
from data_access.views import links
from data_access.warehouse.connection import Warehouse
from tests.app_support import chart_frames
from ui import charts

pytest_plugins = ["tests.conftest_app"]

ROOT = Path(__file__).resolve().parent.parent
D = dt.date
SINGLES = Event("双11", "Singles' Day (11.11)", D(2021, 11, 1), D(2021, 11, 11))
DOUBLE12 = Event("双12", "Double 12 (12.12)", D(2021, 12, 8), D(2021, 12, 12))


# ---------------------------------------------------------------- the calendar

def test_the_shipped_calendar_holds_the_platform_s_festivals_for_2020_and_2021():
    shipped = events.calendar(events.DEFAULT_EVENTS_PATH)
    for year in (2020, 2021):
        names = {e.name_zh for e in shipped if e.start.year == year}
        assert {"年货节", "616 品质购物节", "818 购物节", "双11", "双12"} <= names, year


def calendar_of(tmp_path, text: str) -> tuple[Event, ...]:
    path = tmp_path / "events.toml"
    path.write_text(text, encoding="utf-8")
    return events.calendar(path)


GOOD = '[[event]]\nname_zh = "双11"\nname_en = "11.11"\nstart = 2021-11-01\nend = 2021-11-11\n'


@pytest.mark.parametrize("text,complaint", [
    (GOOD.replace("end = 2021-11-11", "end = 2021-10-01"), "event 1 (11.11): it ends (2021-10-01) before it starts"),
    (GOOD.replace("start = 2021-11-01", 'start = "2021-11-01"'), "start must be a date such as 2021-11-11"),
    (GOOD.replace('name_en = "11.11"\n', ""), "event 1: missing 'name_en'"),
    (GOOD + 'colour = "red"\n', "event 1: unknown key 'colour'"),
    (GOOD.replace("[[event]]", "[[events]]"), "unknown table or key 'events'"),
    (GOOD + "[[event]\n", "cannot be read"),
    (GOOD.replace('"双11"', '""'), "name_zh must be a name of 1 to 40 characters"),
])
def test_a_malformed_calendar_is_one_line_naming_the_file_and_the_event(tmp_path, text, complaint):
    with pytest.raises(EventsError) as caught:
        calendar_of(tmp_path, text)
    message = str(caught.value)
    assert complaint in message and str(tmp_path / "events.toml") in message and "\n" not in message


def test_beltboard_events_must_name_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv(events.EVENTS_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(EventsError, match="which is not a file"):
        events.events_path()


def test_a_warehouse_with_a_platform_events_table_is_read_instead_of_the_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'events.sqlite'}"
    engine = create_engine(url)
    events.platform_events.create(engine)
    with engine.begin() as conn:
        conn.execute(events.platform_events.insert(), [
            {"name_zh": "品牌日", "name_en": "Brand day", "start_on": D(2021, 5, 20), "end_on": D(2021, 5, 21)}])
    assert events.events_for(Warehouse(url)) == (Event("品牌日", "Brand day", D(2021, 5, 20), D(2021, 5, 21)),)
    with engine.begin() as conn:
        conn.execute(events.platform_events.insert(), [
            {"name_zh": "坏", "name_en": "Backwards", "start_on": D(2021, 6, 2), "end_on": D(2021, 6, 1)}])
    engine.dispose()
    with pytest.raises(EventsError, match="table platform_events of the warehouse: event 2 .* before it starts"):
        events.events_for(Warehouse(url))
    other = f"sqlite:///{tmp_path / 'none.sqlite'}"
    create_engine(other).connect().close()
    assert events.events_for(Warehouse(other)) == events.calendar()  # no table: the calendar file


def test_events_in_a_window_and_their_names_in_both_languages():
    assert events.between((DOUBLE12, SINGLES), D(2021, 11, 10), D(2021, 12, 8)) == (SINGLES, DOUBLE12)
    assert events.between((SINGLES,), D(2021, 11, 12), D(2021, 11, 30)) == ()
    assert SINGLES.describe("zh") == "双11 (2021-11-01 至 2021-11-11)"
    assert SINGLES.describe("en") == "Singles' Day (11.11) (2021-11-01 – 2021-11-11)"


# ---------------------------------------------------------------- the charts

def months(*numbers) -> pd.DataFrame:
    return pd.DataFrame({"period_start": [D(2021, m, 1) for m in numbers], "gmv_cny": [float(m) for m in numbers]})


def layer_data(chart) -> list[list[dict]]:
    spec = chart.to_dict()
    return [list(spec["datasets"][layer["data"]["name"]]) for layer in spec.get("layer", [spec])]


def test_a_time_chart_draws_the_events_of_its_periods_as_labelled_bands():
    chart = charts.period_bars(months(10, 11, 12), value="gmv_cny", value_title="GMV", period_title="周期",
                               grain="month", lang="zh", kind="money", events=(SINGLES, DOUBLE12))
    layers = chart.to_dict()["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["rect", "bar", "text"]  # band behind, name above
    band, _, label = layer_data(chart)
    assert [(r["period_label"], r["event_text"]) for r in band] == [
        ("2021年11月", "双11 (2021-11-01 至 2021-11-11)"), ("2021年12月", "双12 (2021-12-08 至 2021-12-12)")]
    assert [r["event_label"] for r in label] == ["双11", "双12"]
    for layer in layers:
        assert layer["encoding"]["tooltip"]

    lines = charts.period_lines(months(11, 12), series=[("gmv_cny", "GMV")], value_title="GMV", period_title="Period",
                                series_title="", grain="month", lang="en", events=(SINGLES,))
    assert [r["event_label"] for r in layer_data(lines)[-1]] == ["Singles' Day (11.11)"]


def test_by_quarter_every_event_is_named_without_bands_and_outside_the_range_nothing_is_drawn():
    quarters = pd.DataFrame({"period_start": [D(2021, 7, 1), D(2021, 10, 1)], "gmv_cny": [1.0, 2.0]})
    chart = charts.period_bars(quarters, value="gmv_cny", value_title="GMV", period_title="P", grain="quarter",
                               lang="en", events=(SINGLES, DOUBLE12))
    assert [layer["mark"]["type"] for layer in chart.to_dict()["layer"]] == ["bar", "text"]
    assert [r["event_label"] for r in layer_data(chart)[-1]] == ["Singles' Day (11.11) · Double 12 (12.12)"]
    plain = charts.period_bars(months(1, 2), value="gmv_cny", value_title="GMV", period_title="P", grain="month",
                               lang="en", events=(SINGLES,))
    assert "layer" not in plain.to_dict()


def test_the_steps_timeline_draws_the_events_between_its_first_start_and_the_as_of_date():
    milestones = pd.DataFrame({"step": [1], "started_on": [D(2021, 10, 20)], "completed_on": [None], "days": [50]})
    chart = charts.steps_gantt(milestones, as_of=D(2021, 12, 9), step_labels={0: "", 1: "1"}, lang="en",
                               status_labels={"completed": "done", "in_progress": "going"}, step_title="Step",
                               start_title="Start", end_title="End", days_title="Days", status_title="State",
                               events=(SINGLES, DOUBLE12, Event("x", "Early", D(2021, 1, 1), D(2021, 1, 2))))
    band = layer_data(chart)[0]
    assert [(r["event_label"], r["event_start"][:10], r["event_end"][:10]) for r in band] == [
        ("Singles' Day (11.11)", "2021-11-01", "2021-11-12"), ("Double 12 (12.12)", "2021-12-08", "2021-12-09")]


TIME_CHARTS = {"period_bars", "period_lines", "steps_gantt"}


def test_every_time_chart_of_every_page_is_given_the_events():
    """A page that drew a time chart without `events=` would silently show none."""
    missing = []
    for path in [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in TIME_CHARTS \
                    and getattr(node.func.value, "id", None) == "charts":
                if "events" not in {k.arg for k in node.keywords}:
                    missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


def test_the_link_keeps_events_switched_off():
    view = links.View(events=False)
    assert links.encode(view) == {"events": ["off"]}
    assert links.decode({"events": "off"}, (), ()).view.events is False
    assert links.decode({}, (), ()).view.events is True


# ---------------------------------------------------------------- on a page

def event_labels(at) -> set[str]:
    return {label for frame in chart_frames(at) if "event_label" in frame for label in frame["event_label"]}


def test_a_page_draws_the_events_and_the_sidebar_switches_them_off(run_app):
    at = run_app({"lang": "zh", "preset": "custom", "from": "2021-01-01", "to": "2021-12-31"}, page="pages/sales.py")
    assert {"双11", "双12", "616 品质购物节"} <= event_labels(at)
    at.toggle(key="f_events").set_value(False).run()
    assert not at.exception and event_labels(at) == set()
    assert at.query_params["events"] in ("off", ["off"])  # in the link: a copied URL keeps them off


def test_a_page_with_a_malformed_calendar_says_so_and_draws_its_charts(run_app, monkeypatch, tmp_path):
    bad = tmp_path / "events.toml"
    bad.write_text(GOOD.replace("end = 2021-11-11", "end = 2021-10-01"), encoding="utf-8")
    monkeypatch.setenv(events.EVENTS_ENV, str(bad))
    at = run_app({"lang": "en"}, page="pages/sales.py")
    warnings = [w.value for w in at.sidebar.warning]
    assert any("The events calendar cannot be used" in w and "before it starts" in w for w in warnings), warnings
    assert chart_frames(at) and event_labels(at) == set()
