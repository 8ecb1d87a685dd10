"""Words and numbers: the gettext catalogues (locale/), Babel's formats (ui.fmt), and chart axes that read a
value exactly as a tile does. No Streamlit, no warehouse."""
from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_access.words import messages as words
from scripts import i18n as catalogues
from ui import charts, fmt, i18n

ROOT = Path(__file__).resolve().parent.parent
UI_SOURCES = sorted([*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"])


# ---------------------------------------------------------------- the catalogues

def test_every_message_of_the_code_is_translated_and_every_translation_used():
    """What `make i18n` checks: after a change of UI text (or a merge), run it and translate what it lists."""
    assert catalogues.problems() == []


def po(entries: dict, lang: str = "zh") -> str:
    """A small .po file: {(context, id) or id: translation}."""
    lines = ['msgid ""', 'msgstr ""', f'"Language: {lang}\\n"', '"Content-Type: text/plain; charset=utf-8\\n"', ""]
    for key, text in entries.items():
        context, message = key if isinstance(key, tuple) else (None, key)
        if context:
            lines.append(f'msgctxt "{context}"')
        lines += [f'msgid "{message}"', f'msgstr "{text}"', ""]
    return "\n".join(lines)


@pytest.fixture
def project(tmp_path) -> Path:
    """A tiny project laid out like this one: babel.cfg, UI code, a data_access module, a zh catalogue."""
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "page.py").write_text(
        'st.title(t("Known", lang))\n'
        'st.caption(f"{t(\'Inside an f-string\', lang, n=1)}")\n'
        'st.caption(t("New words", lang))\n'
        'KINDS = {"x": NC_("kind", "Apparel")}\n', encoding="utf-8")
    (tmp_path / "data_access").mkdir()
    (tmp_path / "data_access" / "catalogue.py").write_text('LABEL = N_("Declared in data_access")\n',
                                                           encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('t("Only in a test", lang)\n', encoding="utf-8")
    folder = tmp_path / "locale" / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "beltboard.po").write_text(po({
        "Known": "已知", "Inside an f-string": "f 字符串中", "New words": "", ("kind", "Apparel"): "服装",
        "Declared in data_access": "数据层声明", "Stale": "旧词"}), encoding="utf-8")
    return tmp_path


def test_the_check_names_an_untranslated_and_an_unused_message(project):
    found = catalogues.problems(project, project / "locale")
    assert found == ["zh: untranslated: 'New words' (ui/page.py:3)", "zh: unused (no code uses it): 'Stale'"]


def test_extraction_finds_messages_in_f_strings_and_in_data_access(project):
    found = catalogues.code_messages(project)
    assert set(found) == {(None, "Known"), (None, "Inside an f-string"), (None, "New words"), ("kind", "Apparel"),
                          (None, "Declared in data_access")}  # tests/ is not UI text


def test_extract_adds_new_messages_untranslated_and_drops_unused_ones(project):
    (project / "ui" / "more.py").write_text('x = t("Brand new", lang)\n', encoding="utf-8")
    catalogues.extract(project, project / "locale")
    catalogue = catalogues.read_catalogue(project / "locale" / "zh" / "LC_MESSAGES" / "beltboard.po")
    words = {(m.context, m.id): m.string for m in catalogue if m.id}
    assert words[(None, "Brand new")] == "" and (None, "Stale") not in words
    assert words[(None, "Known")] == "已知" and words[("kind", "Apparel")] == "服装"


def test_a_translation_whose_fields_differ_is_named(project):
    path = project / "locale" / "zh" / "LC_MESSAGES" / "beltboard.po"
    path.write_text(path.read_text(encoding="utf-8").replace('"已知"', '"已知 {n}"'), encoding="utf-8")
    assert "zh: the translation's {fields} differ: 'Known'" in catalogues.problems(project, project / "locale")


def test_absorb_carries_translations_over_from_a_branch_that_still_has_the_dicts(project):
    """After merging a branch that added words to the old ZH / EN dicts: `python -m scripts.i18n absorb FILE`."""
    old_module = ('ZH: dict[str, str] = {"New words": "新词", "Known": "不覆盖"}\n'
                  'EN.update({"New words": "New words"})\n')
    assert catalogues.absorb(old_module, project / "locale") == ["zh: New words"]
    assert catalogues.problems(project, project / "locale") == ["zh: unused (no code uses it): 'Stale'"]


def test_explicit_lang_gives_every_t_call_its_language():
    source = 'x = t("A") + f"{t(\'{n} rows\', n=1)}"\ny = t("B", lang)\nz = t("C", lang=other)\n'
    assert catalogues.explicit_lang(source) == (
        'x = t("A", lang) + f"{t(\'{n} rows\', lang, n=1)}"\ny = t("B", lang)\nz = t("C", lang=other)\n')


# ---------------------------------------------------------------- the language is an argument

@pytest.mark.parametrize("path", UI_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_call_of_t_passes_the_language(path):
    calls = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t"]
    lacking = [node.lineno for node in calls if len(node.args) < 2 and not any(k.arg == "lang" for k in node.keywords)]
    assert not lacking, f"{path.relative_to(ROOT)}: t(...) without a language on lines {lacking}"


def test_words_and_formats_never_read_the_session():
    for module in (i18n, fmt):
        assert "session_state" not in Path(module.__file__).read_text(encoding="utf-8"), module.__name__
    with pytest.raises(TypeError):
        i18n.t("Overview")  # the language is required


def test_no_code_branches_on_chinese():
    """Words come from the catalogues and formats from CLDR, so no code asks whether the reader reads Chinese."""
    branches = [f"{path.relative_to(ROOT)}:{n}" for path in UI_SOURCES
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if re.search(r"""lang\s*[!=]=\s*["']zh["']""", line)]
    assert branches == []


def test_a_new_language_is_a_catalogue_file(tmp_path, monkeypatch):
    """zh_Hant (Hong Kong and Taiwan operators) without a line of code: a folder in locale/."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir, ignore=shutil.ignore_patterns("*.mo"))
    hant = locale_dir / "zh_Hant" / "LC_MESSAGES"
    hant.mkdir(parents=True)
    (hant / "beltboard.po").write_text(po({"Overview": "總覽", "Q{quarter} {year}": "{year}年Q{quarter}",
                                           ("province", "Shandong"): "山東"}, "zh_Hant"), encoding="utf-8")
    catalogues.compile_catalogues(locale_dir)
    monkeypatch.setattr(words, "LOCALE_DIR", locale_dir)  # where the catalogues are read (ui.i18n re-exports)

    langs = i18n.languages(locale_dir)
    assert langs == ("zh", "en", "zh_Hant")
    assert [i18n.label(lang) for lang in langs] == ["中文", "English", "中文 (繁體)"]
    assert (i18n.from_locale("zh-Hant-TW", langs), i18n.from_locale("zh-HK", langs),
            i18n.from_locale("zh-CN", langs)) == ("zh_Hant", "zh_Hant", "zh")
    assert i18n.t("Overview", "zh_Hant") == "總覽" and i18n.province("Shandong", "zh_Hant") == "山東"
    assert i18n.t("Data as of {date}", "zh_Hant", date="2021-12-31") == "Data as of 2021-12-31"  # not yet translated
    assert fmt.money(34_560_000, "zh_Hant") == "¥3,456萬" and fmt.money(1.2e8, "zh_Hant") == "¥1.2億"
    assert fmt.period(dt.date(2021, 4, 1), "quarter", "zh_Hant") == "2021年Q2"
    catalogues.extract(ROOT, locale_dir)  # `make i18n`: every message into the new catalogue, to be translated
    left = catalogues.problems(ROOT, locale_dir)
    assert left and all(p.startswith("zh_Hant: untranslated:") for p in left)


def test_a_stale_compiled_catalogue_is_refused_with_what_to_do(tmp_path):
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "beltboard.po").write_text(po({"Known": "已知"}), encoding="utf-8")
    with pytest.raises(i18n.CatalogueMissing, match="make locale"):
        i18n._translations("zh", tmp_path)


# ---------------------------------------------------------------- Babel's formats

@pytest.mark.parametrize("value, zh, en", [
    (250_000_000, "¥2.5亿", "¥250M"),
    (-250_000_000, "-¥2.5亿", "-¥250M"),
    (12_345_678_901, "¥123亿", "¥12.3B"),
    (99_999_999, "¥1亿", "¥100M"),       # rounding carries into the next unit
    (9_999.6, "¥1万", "¥10K"),
    (1_500, "¥1,500", "¥1.5K"),
    (-42, "-¥42", "-¥42"),
    (None, "—", "—"),
])
def test_compact_money(value, zh, en):
    assert (fmt.money(value, "zh"), fmt.money(value, "en")) == (zh, en)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_percentages_multiples_counts_and_ratios(lang):
    assert (fmt.rate(0.031, lang), fmt.rate(-0.0042, lang), fmt.rate(1.5, lang)) == ("3.1%", "-0.4%", "150.0%")
    assert (fmt.multiple(4.5, lang), fmt.multiple(-0.25, lang), fmt.multiple(1234.5, lang)) == \
        ("4.5×", "-0.2×", "1,234.5×")
    assert (fmt.count(1_234_567, lang), fmt.signed_count(-5, lang), fmt.signed_count(12_000, lang)) == \
        ("1,234,567", "-5", "+12,000")
    assert (fmt.ratio(2.456, lang), fmt.ratio(float("nan"), lang)) == ("2.46", "—")


def test_dates_periods_and_days():
    april = dt.date(2021, 4, 1)
    assert fmt.date_range(april, dt.date(2021, 6, 30), "zh") == "2021-04-01 至 2021-06-30"
    assert fmt.date_range(april, dt.date(2021, 6, 30), "en") == "2021-04-01 – 2021-06-30"
    assert (fmt.period(pd.Timestamp("2021-12-01"), "month", "zh"), fmt.period("2021-12-01", "month", "en")) == \
        ("2021年12月", "Dec 2021")
    assert (fmt.days(43, "zh"), fmt.days(47.5, "en"), fmt.days(None, "en")) == ("43 天", "47.5 d", "—")
    assert (fmt.column_format("days", "zh"), fmt.column_format("money", "en")) == ("%.1f 天", "¥%,.0f")


# ---------------------------------------------------------------- tiles and chart axes agree

def axis_labels(encoding: dict) -> dict[float, str]:
    """tick value -> its label, read from a Vega-Lite channel's axis (`values` and the `labelExpr`)."""
    axis = encoding["axis"]
    found = re.findall(r'datum\.value == (-?[0-9.e+-]+) \? "((?:[^"\\]|\\.)*)"', axis["labelExpr"])
    pairs = {float(value): text for value, text in found}
    assert sorted(pairs) == sorted(float(v) for v in axis["values"])
    return pairs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_money_axis_reads_each_tick_as_a_tile_reads_that_value(lang):
    df = pd.DataFrame({"period_start": [dt.date(2021, m, 1) for m in (1, 2, 3)], "gmv_cny": [3_000, 12_500, 24_000]})
    spec = charts.period_bars(df, value="gmv_cny", value_title="GMV", period_title="", grain="month", lang=lang,
                              kind="money").to_dict()
    labels = axis_labels(spec["encoding"]["y"])
    assert labels[15_000] == fmt.money(15_000, lang) == {"zh": "¥1.5万", "en": "¥15K"}[lang]  # the tile's text
    assert all(text == fmt.money(value, lang) for value, text in labels.items())
    assert spec["encoding"]["y"]["scale"]["domain"] == [min(labels), max(labels)] == [0, 25_000]


@pytest.mark.parametrize("kind, values, formatter", [
    ("rate", [0.012, 0.034, 0.051], fmt.rate),
    ("multiple", [0.4, 2.5, 7.2], fmt.multiple),
    ("ratio", [0.8, 1.9, 3.1], fmt.ratio),
    ("count", [0, 3, 7], fmt.count),
])
def test_every_value_axis_is_labelled_by_the_tiles_formats(kind, values, formatter):
    df = pd.DataFrame({"belt": ["a", "b", "c"], "v": values})
    spec = charts.ranking_bars(df, label="belt", value="v", label_title="", value_title="", lang="en",
                               kind=kind).to_dict()
    labels = axis_labels(spec["encoding"]["x"])
    assert min(labels) <= min(values) and max(labels) >= max(values)
    assert all(text == formatter(value, "en") for value, text in labels.items())
    assert len(set(labels.values())) == len(labels), "two ticks read alike"


@pytest.mark.parametrize("kind, values", [("count", [1, 2]), ("multiple", [0.1, 0.2]), ("rate", [0.001, 0.002]),
                                          ("ratio", [0.01, 0.02]), ("money", [0.0, 0.0]), ("count", [None, None])])
def test_ticks_are_never_finer_than_the_format_can_name(kind, values):
    """Two ticks never read alike: not "¥0 ¥0 ¥1" for a brand without sales, not "0 0 1 1" brands."""
    df = pd.DataFrame({"belt": ["a", "b"], "v": values})
    spec = charts.ranking_bars(df, label="belt", value="v", label_title="", value_title="", lang="zh",
                               kind=kind).to_dict()
    labels = axis_labels(spec["encoding"]["x"])
    assert len(set(labels.values())) == len(labels), labels


def test_stacked_bars_are_scaled_to_the_stack_not_the_largest_part():
    df = pd.DataFrame({"period_start": [dt.date(2021, 1, 1)] * 2, "g": ["A", "B"], "n": [60, 70]})
    spec = charts.period_bars(df, value="n", value_title="", period_title="", grain="month", lang="en",
                              group="g").to_dict()
    assert max(axis_labels(spec["encoding"]["y"])) >= 130
