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

from data_access.filters import Filters
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
    from data_access.catalogue import DATASETS
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
