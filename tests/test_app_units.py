"""The UI's pure parts, without Streamlit: formats, words, URL state, charts."""
from __future__ import annotations

import ast
import datetime as dt
import math
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from babel.messages.pofile import read_po

from data_access.warehouse.filters import Filters
from ui import charts, fmt, i18n, state

ROOT = Path(__file__).resolve().parent.parent
UI_SOURCES = sorted([*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"])


# ---------------------------------------------------------------- fmt

@pytest.mark.parametrize("value, zh, en", [
    (120_000_000, "¥1.2亿", "¥120M"),
    (34_560_000, "¥3,456万", "¥34.6M"),
    (8_000, "¥8,000", "¥8K"),
    (1_200_000_000, "¥12亿", "¥1.2B"),
    (34_560, "¥3.5万", "¥34.6K"),
    (950, "¥950", "¥950"),
    (999_999, "¥100万", "¥1M"),
    (0, "¥0", "¥0"),
    (-123_456, "-¥12.3万", "-¥123K"),
])
def test_money_in_the_readers_convention(value, zh, en):
    assert fmt.money(value, "zh") == zh
    assert fmt.money(value, "en") == en


@pytest.mark.parametrize("empty", [None, float("nan"), pd.NA, math.inf])
def test_empty_values_are_a_dash(empty):
    for text in (fmt.money(empty, "zh"), fmt.multiple(empty), fmt.rate(empty), fmt.count(empty), fmt.ratio(empty)):
        assert text == "—"


def test_multiples_rates_and_periods():
    assert fmt.multiple(4.5) == "4.5×" and fmt.multiple(8) == "8.0×"
    assert fmt.rate(0.031) == "3.1%"
    april = dt.date(2021, 4, 1)
    assert (fmt.period(april, "month", "zh"), fmt.period(april, "month", "en")) == ("2021年4月", "Apr 2021")
    assert (fmt.period(april, "quarter", "zh"), fmt.period(april, "quarter", "en")) == ("2021年Q2", "Q2 2021")
    assert (fmt.period(april, "year", "zh"), fmt.period(april, "year", "en")) == ("2021年", "2021")


# ---------------------------------------------------------------- i18n
# (the catalogues as a whole: tests/test_i18n.py)

def used_keys(path: Path) -> set[str]:
    """Every literal passed to t(...) in a UI source file (implicit concatenation is one literal)."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            keys.add(node.args[0].value)
    return keys


def catalogue(lang: str) -> dict[tuple[str | None, str], str]:
    """(context, message id) -> its translation, as locale/<lang>/LC_MESSAGES/beltboard.po holds it."""
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "beltboard.po"
    with path.open("rb") as file:
        return {(m.context, m.id): m.string for m in read_po(file) if m.id}


ZH = {key: text for (context, key), text in catalogue("zh").items() if context is None and text}


@pytest.mark.parametrize("path", UI_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_word_of_a_page_has_a_chinese_translation(path):
    missing = sorted(k for k in used_keys(path) if k not in ZH)
    assert not missing, f"{path.relative_to(ROOT)}: add to locale/zh/LC_MESSAGES/beltboard.po: {missing}"


def test_label_tables_are_translated_and_both_languages_have_the_same_keys():
    from data_access.metrics.catalogue import DATASETS
    from ui.sidebar import GRAIN_LABELS, PRESET_LABELS
    keys = set(GRAIN_LABELS.values()) | set(PRESET_LABELS.values()) | {d.what for d in DATASETS.values()}
    assert not sorted(k for k in keys if k not in ZH)
    assert set(catalogue("zh")) == set(catalogue("en"))
    for key, text in ZH.items():
        assert text.count("{") == key.count("{"), f"placeholders differ: {key!r}"


def test_enums_have_words_in_both_languages():
    for kind, values in i18n.ENUMS.items():
        for value in values:
            assert i18n.enum(kind, value, "zh") != i18n.enum(kind, value, "en"), (kind, value)


@pytest.mark.parametrize("locale, header, expected", [
    ("en-US", None, "en"),
    ("en-GB", None, "en"),
    ("zh-Hant-TW", None, "zh"),
    ("de-DE", "de-DE,de;q=0.9,en;q=0.8", "en"),
    (None, "fr-FR,zh-CN;q=0.7,en;q=0.5", "zh"),
    (None, "en;q=0,fr", None),
    (None, None, None),
    ("xx", "*", None),
])
def test_language_detection(locale, header, expected):
    """The browser's language among ours (the URL's ?lang= comes first: state.decode; no answer means Chinese)."""
    assert (i18n.from_locale(locale) or i18n.from_accept_language(header)) == expected


# ---------------------------------------------------------------- URL state

BELTS, PROVINCES = ["linyi-apparel", "yiwu-small-goods"], ["Shandong", "Zhejiang"]


def test_decode_keeps_good_values_and_lists_bad_ones():
    decoded = state.decode({"belt": ["nope", "linyi-apparel", "none"], "from": ["2021-13-99"], "grain": ["week"],
                            "province": ["Atlantis"], "category": ["food", "cars"], "managed_by": ["robots"],
                            "lang": ["en"]}, BELTS, PROVINCES)
    assert decoded.view.belts == ("linyi-apparel", "none")
    assert decoded.view.categories == ("food",)
    assert decoded.view.grain == "month" and decoded.view.preset == "ytd" and decoded.view.lang == "en"
    assert decoded.dropped == ["from=2021-13-99", "grain=week", "belt=nope", "province=Atlantis", "category=cars",
                               "managed_by=robots"]


def test_dates_without_a_preset_mean_custom_and_a_preset_ignores_dates():
    assert state.decode({"from": ["2021-04-01"]}, BELTS, PROVINCES).view.preset == "custom"
    view = state.decode({"preset": ["quarter"], "from": ["2021-04-01"]}, BELTS, PROVINCES).view
    assert (view.preset, view.date_from) == ("quarter", None)


def test_encode_is_the_inverse_of_decode_and_leaves_defaults_out():
    params = {"lang": ["en"], "preset": ["custom"], "from": ["2021-04-01"], "to": ["2021-06-30"],
              "grain": ["quarter"], "belt": ["linyi-apparel", "none"], "province": ["Zhejiang"],
              "category": ["food"], "brand_type": ["new"], "managed_by": ["platform"]}
    assert state.encode(state.decode(params, BELTS, PROVINCES).view) == params
    assert state.encode(state.View()) == {}


@pytest.mark.parametrize("preset, expected", [
    ("last30", (dt.date(2021, 8, 17), dt.date(2021, 9, 15))),
    ("last90", (dt.date(2021, 6, 18), dt.date(2021, 9, 15))),
    ("quarter", (dt.date(2021, 7, 1), dt.date(2021, 9, 15))),
    ("ytd", (dt.date(2021, 1, 1), dt.date(2021, 9, 15))),
])
def test_presets_count_back_from_the_as_of_date(preset, expected):
    assert state.date_range(state.View(preset=preset), dt.date(2021, 9, 15)) == expected


def test_to_filters_builds_what_the_export_command_builds():
    view = state.View(preset="custom", date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 3, 31), grain="quarter",
                      belts=("linyi-apparel",), managed_by="provider")
    assert state.to_filters(view, dt.date(2021, 12, 31)) == Filters(
        belts=("linyi-apparel",), managed_by=("provider",), date_from=dt.date(2021, 2, 1),
        date_to=dt.date(2021, 3, 31), grain="quarter")


# ---------------------------------------------------------------- charts

def marks(chart) -> list[dict]:
    spec = chart.to_dict()
    layers = spec.get("layer", [spec])
    return layers


def test_charts_have_tooltips_on_every_mark_and_the_shared_theme():
    periods = pd.DataFrame({"period_start": [dt.date(2021, m, 1) for m in (1, 2, 3)], "gmv_cny": [1e6, 2e6, 8e6],
                            "net_gmv_cny": [0.9e6, 1.8e6, 7e6], "gmv_multiple": [None, 2.0, 4.0]})
    built = [
        charts.period_bars(periods, value="gmv_cny", value_title="GMV", period_title="Period", grain="month",
                           lang="zh", kind="money", tooltips=[("gmv_multiple", "×", "multiple")]),
        charts.period_lines(periods, series=[("gmv_cny", "GMV"), ("net_gmv_cny", "Net")], value_title="GMV",
                            period_title="Period", series_title="", grain="month", lang="en"),
        charts.ranking_bars(pd.DataFrame({"belt": ["A", "B"], "belt_id": ["a", "b"], "n": [3, 5]}), label="belt",
                            value="n", label_title="Belt", value_title="Brands", lang="en", key="belt_id",
                            selection="belt_pick"),
        charts.category_bars(pd.DataFrame({"bin": ["<1×", "≥1×"], "n": [2, 3]}), label="bin", value="n",
                             label_title="Multiple", value_title="Brands", lang="en", order=["<1×", "≥1×"]),
        charts.heatmap(pd.DataFrame({"m": [0, 1], "c": ["Q1", "Q1"], "v": [10.0, 20.0]}), x="m", y="c", value="v",
                       x_title="Months", y_title="Cohort", value_title="GMV", lang="zh"),
        charts.share_bars(pd.DataFrame({"measure": ["Brands", "Brands"], "group": ["P", "Q"], "value": [1, 3]}),
                          measure="measure", group="group", value="value", measure_title="", group_title="By",
                          value_title="Value", share_title="Share", lang="en", kinds={}),
    ]
    assert alt.theme.active == charts.THEME
    for chart in built:
        for layer in marks(chart):
            assert layer["encoding"]["tooltip"], layer["mark"]


def test_a_single_line_has_no_legend_and_two_lines_have_one():
    periods = pd.DataFrame({"period_start": [dt.date(2021, m, 1) for m in (1, 2)], "a": [1, 2], "b": [3, 4]})

    def legend(series):
        spec = charts.period_lines(periods, series=series, value_title="", period_title="", series_title="",
                                   grain="month", lang="en", kind="count").to_dict()
        return spec["encoding"]["color"].get("legend", "default")

    assert legend([("a", "Cumulative brands")]) is None
    assert legend([("a", "GMV"), ("b", "Net GMV")]) is not None


def test_period_labels_and_money_axis_follow_the_language():
    df = pd.DataFrame({"period_start": [dt.date(2021, 4, 1)], "gmv_cny": [3.4e7]})
    zh = charts.period_bars(df, value="gmv_cny", value_title="GMV", period_title="周期", grain="quarter", lang="zh",
                            kind="money").to_dict()
    values = list(zh["datasets"].values())[0]
    assert values[0]["period_label"] == "2021年Q2"
    assert "万" in zh["encoding"]["y"]["axis"]["labelExpr"]
    assert any(v == "¥3,400万" for v in values[0].values())


def test_charts_draw_at_most_5000_rows():
    df = pd.DataFrame({"belt": [f"b{i}" for i in range(6000)], "belt_id": range(6000), "n": range(6000)})
    chart = charts.ranking_bars(df, label="belt", value="n", label_title="", value_title="", lang="en")
    assert len(list(chart.to_dict()["datasets"].values())[0]) == charts.MAX_ROWS


@pytest.mark.parametrize("name,shown", [
    ('=HYPERLINK("http://evil.example/x")', '=HYPERLINK("http://evil.example/x")'),
    ("see www.evil.example or WWW.EVIL.EXAMPLE", "see www.evil.example or WWW.EVIL.EXAMPLE"),
    ("mail a@evil.example", "mail a@evil.example"),
    ("first line\nthe rest\x00\r\n", "first line the rest "),
])
def test_a_name_is_shown_on_one_line_and_never_as_a_link(name, shown):
    import re

    from ui.text import WORD_JOINER, plain
    text = plain(name)
    assert "\n" not in text and "\x00" not in text
    assert not re.search(r"(?i)https?://|www\.|\w@", text.replace("\\", "")), "GFM would link this"
    assert re.sub(r"\\(.)", r"\1", text).replace(WORD_JOINER, "") == shown


# ---------------------------------------------------------------- issue 10: presets, tiles, tables, legends

@pytest.mark.parametrize("as_of, preset, expected", [
    (dt.date(2021, 7, 15), "last_quarter", (dt.date(2021, 4, 1), dt.date(2021, 6, 30))),   # Q3 under way: Q2
    (dt.date(2021, 6, 30), "last_quarter", (dt.date(2021, 4, 1), dt.date(2021, 6, 30))),   # Q2's last day: Q2
    (dt.date(2021, 9, 15), "last_month", (dt.date(2021, 8, 1), dt.date(2021, 8, 31))),
    (dt.date(2021, 12, 31), "last_year", (dt.date(2021, 1, 1), dt.date(2021, 12, 31))),
    (dt.date(2021, 12, 30), "last_year", (dt.date(2020, 1, 1), dt.date(2020, 12, 31))),
])
def test_the_last_full_period_presets(as_of, preset, expected):
    assert state.date_range(state.View(preset=preset), as_of) == expected


def test_a_review_preset_opens_on_its_grain_and_the_url_stays_short():
    view = state.decode({"preset": ["last_quarter"]}, BELTS, PROVINCES).view
    assert view.grain == "quarter"
    assert state.encode(view) == {"preset": ["last_quarter"]}, "its own grain is the default, left out"
    assert state.encode(view.with_(grain="month")) == {"preset": ["last_quarter"], "grain": ["month"]}
    assert state.decode({"preset": ["last_year"]}, BELTS, PROVINCES).view.grain == "year"


def test_a_minimum_base_in_the_url_is_a_whole_number_of_yuan():
    assert state.decode({"min_base": ["50000"]}, BELTS, PROVINCES).view.min_base == 50_000
    bad = state.decode({"min_base": ["-1", "1e9", "lots"]}, BELTS, PROVINCES)
    assert bad.view.min_base == state.MIN_BASE_DEFAULT and bad.dropped == ["min_base=-1", "min_base=1e9",
                                                                          "min_base=lots"]
    assert state.encode(state.View(min_base=1)) == {"min_base": ["1"]}


def test_a_reversed_link_is_swapped_and_dates_beside_a_preset_are_listed():
    decoded = state.decode({"from": ["2021-06-30"], "to": ["2021-04-01"]}, BELTS, PROVINCES)
    assert (decoded.view.date_from, decoded.view.date_to, decoded.swapped) == (
        dt.date(2021, 4, 1), dt.date(2021, 6, 30), True)
    decoded = state.decode({"preset": ["ytd"], "from": ["2021-04-01"], "to": ["bad"]}, BELTS, PROVINCES)
    assert decoded.dropped == ["to=bad", "from=2021-04-01"] and decoded.view.date_from is None


def test_a_tile_s_comparisons_say_both_sides_and_flag_a_small_base():
    from ui import widgets
    v = widgets.versus_multiple("Q1 2021", 223, 1002, "count", "en", minimum=10)
    assert (v.change, v.small, widgets.trail(v, "en")) == ("4.5×", False, "223 → 1,002")
    yoy = widgets.versus_multiple("Q2 2020", 150, 1002, "count", "en", name="Year over year", minimum=10)
    assert widgets.trail(yoy, "en", first=False) == "Year over year: 6.7× vs Q2 2020 (150 → 1,002)"
    tiny = widgets.versus_multiple("Q1 2021", 8, 74_074, "money", "en", minimum=10_000)
    assert tiny.small and widgets.trail(tiny, "en") == "¥8 → ¥74.1K: 9,259.2×, on a small base (below ¥10K)"
    tiny = widgets.versus_multiple("2021年Q1", 8, 74_074, "money", "zh", minimum=10_000)
    assert widgets.trail(tiny, "zh") == "¥8 → ¥7.4万：9,259.2×，基数小（低于 ¥1万）"
    points = widgets.versus_change("Q1 2021", 0.074, 0.065, "rate", "en")
    assert (points.change, points.sign < 0) == ("-0.9 pp", True)


def test_tables_are_never_padded_and_money_reads_as_on_the_tiles():
    from ui import widgets
    assert widgets.fitted(420, 2) == widgets.HEADER_PX + 2 * widgets.ROW_PX
    assert widgets.fitted(420, 500) == 420 and widgets.fitted("auto", 2) == "auto"
    df = pd.DataFrame({"brand_name": ["a", None], "gmv_cny": [65_182_426.0, None], "refund_rate": [0.05, None]})
    shown, options = widgets._table_view(df, ("brand_name", "gmv_cny", "refund_rate"), None, "zh")
    texts = shown.to_html()  # a Styler: the display values a table draws
    assert "¥6,518万" in texts and "65182426" not in texts
    assert options["column_config"]["brand_name"]["pinned"] is True, "the row's name stays in view"
    assert not options["column_config"]["gmv_cny"].get("pinned")


def test_the_belt_filter_lists_each_belt_in_both_languages():
    from ui import sidebar

    class Meta:
        belts = pd.DataFrame({"belt_id": ["yiwu-small-goods"], "name_zh": ["义乌小商品"],
                              "name_en": ["Yiwu small goods"], "province": ["Zhejiang"]})

    assert sidebar.belt_search_labels(Meta, "zh") == {"yiwu-small-goods": "浙江 · 义乌小商品 · Yiwu small goods"}
    assert sidebar.belt_search_labels(Meta, "en") == {"yiwu-small-goods": "Zhejiang · Yiwu small goods · 义乌小商品"}


def test_legends_show_the_marks_own_colours():
    """The STEPS timeline's legend is its bars' colours (by status); a T+30 bar not final yet has a pale colour of
    its own, shown pale in the legend too; a belt's long name is drawn on two lines, never cut."""
    milestones = pd.DataFrame({"step": [1, 2], "started_on": [dt.date(2021, 1, 1), dt.date(2021, 3, 1)],
                               "completed_on": [dt.date(2021, 2, 1), None], "days": [31, None]})
    gantt = charts.steps_gantt(milestones, as_of=dt.date(2021, 6, 30), step_labels={0: "-", 1: "S1", 2: "S2"},
                               status_labels={"completed": "Done", "in_progress": "Going"}, lang="en",
                               step_title="", start_title="", end_title="", days_title="", status_title="State")
    bars = gantt.to_dict()["layer"][0]["encoding"]
    assert bars["color"]["field"] == "status" and "opacity" not in bars
    assert bars["color"]["scale"]["domain"] == ["Done", "Going"]
    roi = pd.DataFrame({"label": ["All", "Zhejiang · Yiwu small goods"], "roi_t0": [1.0, 1.1], "roi_t30": [3.0, 2.5],
                        "t30_complete_share": [1.0, 0.6]})
    spec = charts.window_bars(roi, label="label", windows=[("roi_t0", "T+0"), ("roi_t30", "T+30")], label_title="",
                              window_title="Window", value_title="ROI", lang="en", incomplete="t30_complete_share",
                              pale_title="T+30 not final yet").to_dict()
    color = spec["encoding"]["color"]["scale"]
    assert color["domain"] == ["T+0", "T+30", "T+30 not final yet"]
    assert color["range"][2] == charts._translucent(color["range"][1], charts.PALE)
    assert spec["encoding"]["y"]["axis"]["labelExpr"] == charts.WRAPPED
    theme = charts.beltboard_theme()["config"]
    assert "background" not in theme and "labelColor" not in theme["axis"], "the light or dark theme colours them"
