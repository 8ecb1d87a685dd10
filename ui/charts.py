"""Charts as pure functions: DataFrame in, `alt.Chart` out. No Streamlit, one shared theme.

Every mark has a tooltip, with numbers formatted the reader's way (ui.fmt); value axes have their ticks
chosen here and labelled by ui.fmt too, so an axis, a tooltip and a tile read the same value the same
way. Axis titles are passed in already translated. Inputs are aggregates: at most MAX_ROWS rows are drawn.
Render with `st.altair_chart(chart, theme=None)` so the registered theme applies.

Time charts (`period_bars`, `period_lines`, `steps_gantt`) take the platform's events (data_access.metrics.events; a
page passes `ctx.events`, none when the reader switched them off) and draw those that fall in the chart: a
band behind the data over each month or day an event covers, and the event's name down from the band's top,
in the reader's language (by quarter or year, when every period holds some event, the names only).
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from decimal import Decimal

import altair as alt
import pandas as pd

from data_access.metrics.events import Event
from data_access.views import periods

from . import fmt
from .i18n import t

MAX_ROWS = 5_000
THEME = "beltboard"
ACCENT = "#E8552B"
PALETTE = ["#E8552B", "#2B7BE8", "#1FA37A", "#F2A93B", "#8E5BD9", "#D94E8F", "#4BB3C8", "#7A8699",
           "#B5651D", "#5C946E", "#C9B037", "#3D5A80"]
EVENT_COLOR = "#8E5BD9"        # the events' bands
EVENT_TEXT_COLOR = "#5B3A99"   # their names: dark enough on a band, a bar or the background
FONT = '"Source Sans Pro", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
MUTED = "#8A90A0"  # rules and axis lines: legible on the light and the dark theme
PALE = 0.4         # the opacity of a bar whose figure is not final yet (T+30 of young campaigns)
# A category label "省份 · 名称" / "Province · name" on two lines, so a long English name is never cut off
WRAPPED = "split(datum.label, ' · ')"


@alt.theme.register(THEME, enable=True)
def beltboard_theme() -> alt.theme.ThemeConfig:
    return {
        # No background or text colours: Streamlit fills them from the light or dark theme in force (its
        # defaults yield to a chart's own config, so setting them here would keep charts white in dark mode).
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "range": {"category": PALETTE, "heatmap": {"scheme": "oranges"}},
            "mark": {"color": ACCENT},
            "bar": {"color": ACCENT, "cornerRadiusEnd": 2},
            "line": {"color": ACCENT, "strokeWidth": 2},
            "point": {"filled": True, "size": 40},
            "axis": {"domainColor": MUTED, "tickColor": MUTED, "labelFontSize": 12, "titleFontSize": 12,
                     "titleFontWeight": 600},
            "axisX": {"labelAngle": 0, "labelOverlap": "greedy"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "labelLimit": 240},
            "title": {"fontSize": 14, "anchor": "start"},
        }
    }


def formatted(values: pd.Series, kind: str, lang: str) -> pd.Series:
    """A column as the reader reads it (for tooltips and axis labels): ui.fmt, the tiles' formats."""
    f = {
        "money": lambda v: fmt.money(v, lang), "count": lambda v: fmt.count(v, lang),
        "multiple": lambda v: fmt.multiple(v, lang), "rate": lambda v: fmt.rate(v, lang),
        "ratio": lambda v: fmt.ratio(v, lang), "day": fmt.day,
        "text": lambda v: fmt.EMPTY if fmt.is_empty(v) else str(v),
    }[kind]
    return pd.Series([f(v) for v in values], index=values.index, dtype=object)


def with_tooltips(df: pd.DataFrame, spec: Sequence[tuple[str, str, str]], lang: str):
    """(frame with a formatted text column per spec entry, the alt.Tooltip list)."""
    out = df.copy()
    tips = []
    for i, (column, title, kind) in enumerate(spec):
        name = f"_tip{i}"
        out[name] = formatted(out[column], kind, lang)
        tips.append(alt.Tooltip(f"{name}:N", title=title))
    return out, tips


# ---------------------------------------------------------------- value axes

def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round values (steps of 1, 2 or 5 × 10^k) from at or below `low` to at or above `high`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step_d = Decimal(repr(step))
    first, last = math.floor(low / step), math.ceil(high / step)
    return [float(i * step_d) for i in range(first, last + 1)]


def label_expr(ticks: Sequence[float], kind: str, lang: str) -> str:
    """A Vega label expression that names each tick value with ui.fmt's text for it."""
    labels = formatted(pd.Series(list(ticks), dtype=float), kind, lang)
    expr = "''"
    for value, text in reversed(list(zip(ticks, labels, strict=True))):
        expr = f"datum.value == {json.dumps(value)} ? {json.dumps(text, ensure_ascii=False)} : {expr}"
    return expr


def value_scale(values, kind: str, lang: str, title: str | None = None, *, zero: bool = True) -> dict:
    """`axis` and `scale` for a quantitative channel over `values`: ticks chosen here and labelled by ui.fmt,
    so an axis reads a figure exactly as a tile or tooltip does (Vega draws, but does not format)."""
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").astype(float)
    numbers = numbers[numbers.map(math.isfinite)]
    low = min([*numbers, 0.0] if zero else list(numbers) or [0.0])
    high = max([*numbers, 0.0] if zero else list(numbers) or [1.0])
    for count in range(5, 0, -1):  # fewer, rounder ticks until each reads differently ("¥0 ¥0 ¥1", "2.5 brands")
        ticks = nice_ticks(low, high, count)
        if formatted(pd.Series(ticks, dtype=float), kind, lang).is_unique:
            break
    return {"axis": alt.Axis(title=title, values=ticks, labelExpr=label_expr(ticks, kind, lang)),
            "scale": alt.Scale(domain=[ticks[0], ticks[-1]], nice=False, zero=zero)}


def stacked(df: pd.DataFrame, value: str, by: Sequence[str]) -> list[float]:
    """The ends of bars stacked per `by` (positive and negative values stack apart)."""
    numbers = pd.to_numeric(df[value], errors="coerce").astype(float).fillna(0.0)
    if not by:
        return list(numbers)
    keys = [df[b] for b in by]
    return [*numbers.clip(lower=0).groupby(keys).sum(), *numbers.clip(upper=0).groupby(keys).sum()]


def _limited(df: pd.DataFrame) -> pd.DataFrame:
    return df.head(MAX_ROWS)


def period_labels(df: pd.DataFrame, grain: str, lang: str) -> pd.DataFrame:
    out = df.copy()
    out["period_label"] = [fmt.period(p, grain, lang) for p in out["period_start"]]
    return out


def period_bars(df: pd.DataFrame, *, value: str, value_title: str, period_title: str, grain: str, lang: str,
                kind: str = "count", group: str | None = None, group_title: str | None = None,
                tooltips: Sequence[tuple[str, str, str]] = (), height: int = 280,
                events: Sequence[Event] = ()) -> alt.Chart | alt.LayerChart:
    """One bar per period (`period_start`), stacked by `group` (a label column) when given; the `events` that
    fall in its periods as bands behind them."""
    d = period_labels(_limited(df), grain, lang)
    spec = [("period_label", period_title, "text")]
    if group:
        spec.append((group, group_title or group, "text"))
    spec += [(value, value_title, kind), *tooltips]
    d, tips = with_tooltips(d, spec, lang)
    order = list(dict.fromkeys(d["period_label"]))
    encoding = dict(
        x=alt.X("period_label:N", sort=order, title=period_title),
        y=alt.Y(f"{value}:Q", title=value_title, stack="zero",
                **value_scale(stacked(d, value, ["period_label"]), kind, lang, value_title)),
        tooltip=tips,
    )
    if group:
        encoding["color"] = alt.Color(f"{group}:N", title=group_title, sort=sorted(set(d[group])))
    bars = alt.Chart(d, height=height).mark_bar().encode(**encoding)
    return with_period_events(bars, d, events, grain=grain, lang=lang, order=order, period_title=period_title)


def period_lines(df: pd.DataFrame, *, series: Sequence[tuple[str, str]], value_title: str, period_title: str,
                 series_title: str, grain: str, lang: str, kind: str = "money", height: int = 280,
                 events: Sequence[Event] = ()) -> alt.Chart | alt.LayerChart:
    """One line per (column, label) in `series`, over periods; a single line needs no legend (its title says it).
    The `events` that fall in its periods are bands behind the lines."""
    d = period_labels(_limited(df), grain, lang)
    long = d.melt(id_vars=["period_start", "period_label"], value_vars=[c for c, _ in series],
                  var_name="series_key", value_name="value")
    long["series"] = long["series_key"].map(dict(series))
    long, tips = with_tooltips(long, [("period_label", period_title, "text"), ("series", series_title, "text"),
                                      ("value", value_title, kind)], lang)
    order = list(dict.fromkeys(d["period_label"]))
    lines = alt.Chart(long, height=height).mark_line(point=True).encode(
        x=alt.X("period_label:N", sort=order, title=period_title),
        y=alt.Y("value:Q", title=value_title, **value_scale(long["value"], kind, lang, value_title)),
        color=alt.Color("series:N", title=series_title, sort=[label for _, label in series],
                        legend=alt.Legend() if len(series) > 1 else None),
        tooltip=tips,
    )
    return with_period_events(lines, d, events, grain=grain, lang=lang, order=order, period_title=period_title)


# ---------------------------------------------------------------- platform events on time charts

def _event_rows(events: Sequence[Event], lang: str) -> dict:
    """The columns that name a group of events: their tooltip line, each with its dates."""
    return {"event_text": "; ".join(e.describe(lang) for e in events)}


def period_events(period_starts: Sequence, events: Sequence[Event], grain: str, lang: str) -> pd.DataFrame:
    """One row per shown period that an event overlaps: `period_start`, `period_label`, `event_text` (the events
    with their dates, in the reader's language) and `event_label`: the names of the events that begin there (an
    event over several periods is named once, in its first), else empty."""
    rows, named = [], set()
    for start in dict.fromkeys(fmt.as_date(p) for p in period_starts if not fmt.is_empty(p)):
        inside = [e for e in events if e.overlaps(start, periods.period_end(start, grain))]
        if inside:
            rows.append({"period_start": start, "period_label": fmt.period(start, grain, lang),
                         "event_label": " · ".join(e.name(lang) for e in inside if e not in named),
                         **_event_rows(inside, lang)})
            named.update(inside)
    return pd.DataFrame(rows, columns=["period_start", "period_label", "event_label", "event_text"])


def _event_layers(marks: pd.DataFrame, x: alt.X, lang: str, x2: alt.X2 | None = None) -> tuple[list, list]:
    """(behind the data, above it): a band over each row's stretch of the x axis, and the names of the events
    down from its top (vertical, so that neighbours never overlap), each with the events as tooltip."""
    tip = [alt.Tooltip("event_text:N", title=t("Platform events", lang))]
    band_encoding = {"x": x, "tooltip": tip, **({"x2": x2} if x2 is not None else {})}
    band = alt.Chart(marks).mark_rect(color=EVENT_COLOR, opacity=0.12).encode(**band_encoding)
    named = marks[marks["event_label"] != ""]
    label = alt.Chart(named).mark_text(angle=90, align="left", baseline="middle", dx=4, fontSize=11,
                                       color=EVENT_TEXT_COLOR, limit=160).encode(
        x=x, y=alt.value(0), text="event_label:N", tooltip=tip)
    return [band], [label]


def with_period_events(chart: alt.Chart, d: pd.DataFrame, events: Sequence[Event], *, grain: str, lang: str,
                       order: list[str], period_title: str) -> alt.Chart | alt.LayerChart:
    """`chart` over periods with the events of its periods: by month a band behind each period an event touches,
    named in its first; by quarter or year the names only. Unchanged when no event falls there."""
    marks = period_events(d["period_start"], events, grain, lang) if events else pd.DataFrame()
    if marks.empty:
        return chart
    x = alt.X("period_label:N", sort=order, title=period_title, scale=alt.Scale(domain=order))
    behind, above = _event_layers(marks.drop(columns=["period_start"]), x, lang)
    if grain != "month":  # every quarter or year holds some event: a band on each would mark none; names only
        behind = []
    return alt.layer(*behind, chart, *above)


def ranking_bars(df: pd.DataFrame, *, label: str, value: str, label_title: str, value_title: str, lang: str,
                 kind: str = "count", key: str | None = None, selection: str | None = None,
                 tooltips: Sequence[tuple[str, str, str]] = (), keep_order: bool = False) -> alt.Chart:
    """Horizontal bars, largest first (or in the frame's order with `keep_order`).

    With `selection`, a click selects the bar's `key` value.
    """
    d = _limited(df)
    if not keep_order:
        d = d.sort_values(value, ascending=False, kind="stable")
    d, tips = with_tooltips(d, [(label, label_title, "text"), (value, value_title, kind), *tooltips], lang)
    two_lines = d[label].astype(str).str.contains(" · ", regex=False).any()
    chart = alt.Chart(d, height=max(120, (36 if two_lines else 24) * len(d))).mark_bar().encode(
        y=alt.Y(f"{label}:N", sort=list(d[label]), title=label_title,
                axis=alt.Axis(labelLimit=260, labelExpr=WRAPPED)),
        x=alt.X(f"{value}:Q", title=value_title, **value_scale(d[value], kind, lang, value_title)),
        tooltip=tips,
    )
    if selection and key:
        pick = alt.selection_point(name=selection, fields=[key], on="click", clear="dblclick")
        chart = chart.add_params(pick).encode(
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
        )
    return chart


def category_bars(df: pd.DataFrame, *, label: str, value: str, label_title: str, value_title: str, lang: str,
                  order: Sequence[str], kind: str = "count", tooltips: Sequence[tuple[str, str, str]] = (),
                  height: int = 260) -> alt.Chart:
    """Vertical bars in a given order (a histogram whose bins were made in pandas)."""
    d, tips = with_tooltips(_limited(df), [(label, label_title, "text"), (value, value_title, kind), *tooltips],
                            lang)
    return alt.Chart(d, height=height).mark_bar().encode(
        x=alt.X(f"{label}:N", sort=list(order), title=label_title),
        y=alt.Y(f"{value}:Q", title=value_title, **value_scale(d[value], kind, lang, value_title)),
        tooltip=tips,
    )


def share_bars(df: pd.DataFrame, *, measure: str, group: str, value: str, measure_title: str, group_title: str,
               value_title: str, share_title: str, lang: str, kinds: dict[str, str]) -> alt.Chart:
    """One 100% bar per measure (e.g. brands, GMV), split by group. `kinds`: measure label -> value kind."""
    d = _limited(df).copy()
    totals = d.groupby(measure)[value].transform("sum")
    d["share"] = d[value] / totals.where(totals != 0)
    d["_value_txt"] = [formatted(pd.Series([v]), kinds.get(m, "count"), lang).iloc[0]
                       for m, v in zip(d[measure], d[value])]
    d, tips = with_tooltips(d, [(measure, measure_title, "text"), (group, group_title, "text"),
                                ("_value_txt", value_title, "text"), ("share", share_title, "rate")], lang)
    return alt.Chart(d, height=alt.Step(34)).mark_bar().encode(
        y=alt.Y(f"{measure}:N", title=None),
        x=alt.X("share:Q", stack="normalize", title=share_title, **value_scale([1.0], "rate", lang, share_title)),
        color=alt.Color(f"{group}:N", title=group_title),
        tooltip=tips,
    )


def heatmap(df: pd.DataFrame, *, x: str, y: str, value: str, x_title: str, y_title: str, value_title: str,
            lang: str, kind: str = "money", tooltips: Sequence[tuple[str, str, str]] = ()) -> alt.Chart:
    """A grid of cells coloured by `value` (e.g. cohorts × months since onboarding)."""
    d, tips = with_tooltips(_limited(df), [(y, y_title, "text"), (x, x_title, "text"), (value, value_title, kind),
                                           *tooltips], lang)
    rows = list(dict.fromkeys(d[y]))
    scale = value_scale(d[value], kind, lang, zero=False)
    ticks, domain = scale["axis"].values, scale["scale"].domain
    return alt.Chart(d, height=max(140, 26 * len(rows))).mark_rect().encode(
        x=alt.X(f"{x}:O", title=x_title),
        y=alt.Y(f"{y}:N", sort=rows, title=y_title),
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="oranges", domain=domain),
                        legend=alt.Legend(orient="right", values=ticks, labelExpr=label_expr(ticks, kind, lang))),
        tooltip=tips,
    )


# ---------------------------------------------------------------- providers / STEPS / brand / trust pages

BAND_COLORS = ("#2B7BE8", "#1FA37A")  # median, where the best 10% begin


def peer_strip(df: pd.DataFrame, *, value: str, label: str, label_title: str, value_title: str, lang: str,
               kind: str, bands: Sequence[tuple[str, float]], key: str | None = None, highlight=None,
               height: int = 170) -> alt.LayerChart:
    """Every row a dot along `value` (spread vertically so none hides another); `bands` ((title, value): the
    peers' median and where their best 10% begin) as rule lines. The row whose `key` equals `highlight` is drawn
    large."""
    d = _limited(df)
    d = d[pd.to_numeric(d[value], errors="coerce").notna()].copy()
    d[value] = d[value].astype(float)
    d["_spread"] = [(i * 0.618034) % 1 for i in range(len(d))]  # deterministic, evenly spread
    d, tips = with_tooltips(d, [(label, label_title, "text"), (value, value_title, kind)], lang)
    extent = [*d[value], *(v for _, v in bands if v is not None and not pd.isna(v))]
    x = alt.X(f"{value}:Q", title=value_title,
              **value_scale(extent, kind, lang, value_title, zero=kind in ("money", "count")))
    y = alt.Y("_spread:Q", axis=None, scale=alt.Scale(domain=[-0.1, 1.1]))
    dots = alt.Chart(d, height=height).mark_circle(size=36, opacity=0.45, color="#7A8699").encode(
        x=x, y=y, tooltip=tips)
    lines = pd.DataFrame([{"band": title, "value": v} for title, v in bands
                          if v is not None and not pd.isna(v)], columns=["band", "value"])
    lines, line_tips = with_tooltips(lines, [("band", value_title, "text")], lang)
    colors = alt.Scale(domain=[title for title, _ in bands], range=list(BAND_COLORS[:len(bands)]))
    rules = alt.Chart(lines).mark_rule(strokeWidth=2.5, strokeDash=[6, 3]).encode(
        x="value:Q", color=alt.Color("band:N", scale=colors, title=None), tooltip=line_tips)
    layers = [dots, rules]
    if key is not None and highlight is not None:
        mine = d[d[key] == highlight]
        if not mine.empty:
            layers.append(alt.Chart(mine).mark_point(filled=True, size=180, color=ACCENT, opacity=1,
                                                     stroke="#FFFFFF", strokeWidth=1.5).encode(
                x=f"{value}:Q", y=y, tooltip=tips))
    return alt.layer(*layers).properties(height=height)


def steps_gantt(df: pd.DataFrame, *, as_of, step_labels: dict, status_labels: dict, lang: str, step_title: str,
                start_title: str, end_title: str, days_title: str, status_title: str,
                height: int | None = None, events: Sequence[Event] = ()) -> alt.LayerChart:
    """One bar per STEPS milestone (`step`, `started_on`, `completed_on`, `days`) reached by `as_of`: from
    its start to its completion, or to `as_of` while in progress (its own colour, as the legend says); a rule
    marks `as_of`; the `events` between the first start and `as_of` are bands behind the bars."""
    as_of = pd.Timestamp(as_of)
    d = df.copy()
    d["start"] = pd.to_datetime(d["started_on"])
    done = pd.to_datetime(d["completed_on"])
    d = d[d["start"] <= as_of].copy()
    done = done.loc[d.index]
    completed = done.notna() & (done <= as_of)
    d["end"] = done.where(completed, as_of)
    d["status"] = [status_labels["completed"] if c else status_labels["in_progress"] for c in completed]
    d["step_label"] = [step_labels.get(int(s), str(s)) for s in d["step"]]
    d["end_text"] = [fmt.day(e) if c else status_labels["in_progress"] for e, c in zip(done, completed)]
    d, tips = with_tooltips(d, [("step_label", step_title, "text"), ("started_on", start_title, "day"),
                                ("end_text", end_title, "text"), ("days", days_title, "count"),
                                ("status", status_title, "text")], lang)
    order = [step_labels[k] for k in sorted(step_labels) if k]
    bars = alt.Chart(d, height=height or 42 * max(len(order), 1)).mark_bar(cornerRadius=3, height=22).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount=5,
                                                     labelOverlap="greedy")),
        x2="end:T",
        y=alt.Y("step_label:N", sort=order, title=step_title, axis=alt.Axis(labelLimit=260)),
        # the colour is the status (the legend shows the bars' own colours); each step is a row of its own
        color=alt.Color("status:N", title=status_title, scale=alt.Scale(
            domain=[status_labels["completed"], status_labels["in_progress"]], range=[PALETTE[2], ACCENT])),
        tooltip=tips,
    )
    rule = alt.Chart(pd.DataFrame({"as_of": [as_of], "text": [fmt.day(as_of)]})).mark_rule(
        strokeDash=[4, 3], color=MUTED).encode(x="as_of:T", tooltip=alt.Tooltip("text:N", title=end_title))
    first = d["start"].min() if len(d) else as_of
    behind, above = _dated_events(events, first.date(), as_of.date(), lang)
    return alt.layer(*behind, bars, rule, *above)


def _dated_events(events: Sequence[Event], first, last, lang: str) -> list:
    """Event bands on a time axis from `first` to `last` (each cut to it; its last day drawn in full before)."""
    inside = [e for e in events if e.overlaps(first, last)]
    if not inside:
        return [], []
    marks = pd.DataFrame([{"event_start": pd.Timestamp(max(e.start, first)),
                           "event_end": min(pd.Timestamp(e.end) + pd.Timedelta(days=1), pd.Timestamp(last)),
                           "event_label": e.name(lang), **_event_rows([e], lang)} for e in inside])
    return _event_layers(marks, alt.X("event_start:T"), lang, x2=alt.X2("event_end:T"))


def funnel_bars(df: pd.DataFrame, *, step_labels: dict, measures: Sequence[tuple[str, str]], step_title: str,
                value_title: str, measure_title: str, lang: str,
                tooltips: Sequence[tuple[str, str, str]] = ()) -> alt.Chart:
    """The STEPS funnel: per step, one bar per measure ((column, title): reached, completed)."""
    d = _limited(df).copy()
    d["step_label"] = [step_labels.get(int(s), str(s)) for s in d["step"]]
    long = d.melt(id_vars=[c for c in d.columns if c not in [m for m, _ in measures]],
                  value_vars=[m for m, _ in measures], var_name="measure_key", value_name="value")
    long["measure"] = long["measure_key"].map(dict(measures))
    long, tips = with_tooltips(long, [("step_label", step_title, "text"), ("measure", measure_title, "text"),
                                      ("value", value_title, "count"), *tooltips], lang)
    order = list(d["step_label"])
    return alt.Chart(long, height=70 * max(len(order), 1)).mark_bar().encode(
        y=alt.Y("step_label:N", sort=order, title=step_title, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("measure:N", sort=[title for _, title in measures]),
        x=alt.X("value:Q", title=value_title, **value_scale(long["value"], "count", lang, value_title)),
        color=alt.Color("measure:N", sort=[title for _, title in measures], title=measure_title),
        tooltip=tips,
    )


def _translucent(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def window_bars(df: pd.DataFrame, *, label: str, windows: Sequence[tuple[str, str]], label_title: str,
                window_title: str, value_title: str, lang: str, kind: str = "ratio", key: str | None = None,
                selection: str | None = None, incomplete: str | None = None, incomplete_title: str = "",
                pale_title: str = "", tooltips: Sequence[tuple[str, str, str]] = (), bar_px: int = 16) -> alt.Chart:
    """Grouped horizontal bars: per row (`label`, on the y axis in full: a belt's "province · name" on two
    lines), one bar per window column ((column, title): ROI T+0/T+10/T+30), `bar_px` high. `incomplete` names a
    0–1 column (the share of spend whose last window is final): bars of the last window are drawn pale where it
    is below 1, in a colour of their own that the legend shows as it is drawn (`pale_title`).
    With `selection`, a click selects the row's `key`."""
    d = _limited(df).copy()
    last_window = windows[-1][0]
    pale = pale_title or incomplete_title or "incomplete"
    if incomplete:
        d["_final"] = [not fmt.is_empty(v) and float(v) >= 1 for v in d[incomplete]]
    long = d.melt(id_vars=[c for c in d.columns if c not in [w for w, _ in windows]],
                  value_vars=[w for w, _ in windows], var_name="window_key", value_name="value")
    long["window"] = long["window_key"].map(dict(windows))
    long["_shown"] = long["window"]
    if incomplete:
        not_final = (long["window_key"] == last_window) & ~long["_final"].astype(bool)
        long.loc[not_final, "_shown"] = pale
    extra = [(incomplete, incomplete_title, "rate")] if incomplete else []
    long, tips = with_tooltips(long, [(label, label_title, "text"), ("window", window_title, "text"),
                                      ("value", value_title, kind), *extra, *tooltips], lang)
    order = list(dict.fromkeys(d[label]))
    titles = [title for _, title in windows]
    colors = PALETTE[:len(windows)]
    domain, palette = list(titles), list(colors)
    if (long["_shown"] == pale).any():  # the legend's swatch is the pale bars' own colour
        domain.append(pale)
        palette.append(_translucent(colors[-1], PALE))
    chart = alt.Chart(long, height=alt.Step(bar_px)).mark_bar().encode(
        y=alt.Y(f"{label}:N", sort=order, title=label_title, axis=alt.Axis(labelExpr=WRAPPED, labelLimit=240)),
        yOffset=alt.YOffset("window:N", sort=titles),
        x=alt.X("value:Q", title=value_title, **value_scale(long["value"], kind, lang, value_title)),
        color=alt.Color("_shown:N", title=window_title, scale=alt.Scale(domain=domain, range=palette)),
        tooltip=tips,
    )
    if selection and key:
        pick = alt.selection_point(name=selection, fields=[key], on="click", clear="dblclick")
        chart = chart.add_params(pick)
    return chart
