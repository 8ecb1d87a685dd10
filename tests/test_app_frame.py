"""The frame: legacy pages/ mode neutralised, navigation, filters in the URL, languages, errors."""
from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

import ui.legacy
from tests.app_support import DASHBOARD, ROOT, sidebar_texts, texts

pytest_plugins = ["tests.conftest_app"]

PAGE_FILES = {
    "pages/overview.py": ("总览", "Overview"),
    "pages/onboarding.py": ("品牌入驻增长", "Onboarding growth"),
    "pages/sales.py": ("销量倍数", "Sales multiples"),
    "pages/providers.py": ("服务商", "Providers"),
    "pages/steps.py": ("STEPS 五步法", "STEPS"),
    "pages/brand.py": ("品牌", "Brand"),
    "pages/trust_roi.py": ("信任与 ROI", "Trust & ROI"),
}


def as_of_caption(app_warehouse) -> str:
    return f"数据截至 {app_warehouse.as_of.isoformat()}"


# ---------------------------------------------------------------- legacy pages/ mode

def test_the_pages_folder_would_switch_streamlit_to_legacy_mode():
    """The premise: AppTest resets the flag before each run and a pages/ folder sets it."""
    assert (ROOT / "pages").is_dir()
    PagesManager.uses_pages_directory = None
    PagesManager(DASHBOARD, None, setup_watcher=False)
    assert PagesManager.uses_pages_directory is True
    PagesManager.uses_pages_directory = None


def test_first_run_shows_the_frame(run_app, app_warehouse):
    at = run_app()
    assert [t.value for t in at.title] == ["总览"]
    assert as_of_caption(app_warehouse) in sidebar_texts(at)
    assert any(as_of_caption(app_warehouse) in c.value for c in at.main.caption), "page header says data as of"
    assert PagesManager.uses_pages_directory is False, "the helper switched legacy mode off"


@pytest.mark.parametrize("page", sorted(PAGE_FILES))
def test_switch_page_runs_each_page_through_the_frame(run_app, app_warehouse, page):
    at = run_app(page=page)
    assert [t.value for t in at.title] == [PAGE_FILES[page][0]]
    assert as_of_caption(app_warehouse) in sidebar_texts(at), "the sidebar (the frame) is there"
    assert at.sidebar.multiselect, "the filter widgets are there"


@pytest.mark.parametrize("page", sorted(PAGE_FILES))
def test_every_table_shows_empty_as_a_dash_and_pins_its_first_column(run_app, app_warehouse, page):
    """No "None" in a table cell, and a wide table scrolled sideways (a phone) keeps its row's name in view."""
    import json
    query = {}
    if page == "pages/brand.py":  # one brand's page (without one it is a picker)
        query["brand"] = str(int(app_warehouse.frames["orders"]["brand_id"].value_counts().index[0]))
    at = run_app(query, page=page)
    assert at.dataframe, "every page has a table"
    for table in at.dataframe:
        assert table.proto.placeholder == "—"
        config = json.loads(table.proto.columns)
        first = list(table.proto.column_order)[0]
        names_its_row = config[first].get("type_config", {}).get("type") in ("text", "date")
        assert config[first].get("pinned") is (True if names_its_row else None), (page, first, config[first])
        assert not any(c.get("pinned") for name, c in config.items() if name != first)


def test_without_the_helper_legacy_mode_runs_a_page_bare(app_warehouse, monkeypatch):
    """Proof that the helper is what keeps the frame: disabled, /sales runs pages/sales.py alone."""
    monkeypatch.setattr(ui.legacy, "leave_legacy_pages_mode", lambda page=True: None)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    at.switch_page("pages/sales.py").run()
    assert PagesManager.uses_pages_directory is True
    assert sidebar_texts(at) == "", "no frame: the sidebar is empty"
    assert not at.sidebar.multiselect


@pytest.mark.parametrize("page", ["pages/steps.py", "pages/sales.py"])
def test_a_page_the_legacy_navigation_runs_after_another_session_left_legacy_mode_still_gets_the_frame(
        app_warehouse, monkeypatch, page):
    """Two sessions starting together: the script runner chose the legacy navigation for this run while the
    flag was set, and the other session's run switched it off before this page's module started. The page
    must still rerun through the frame rather than run bare (it used to fail on the missing page context)."""
    from streamlit.runtime.scriptrunner import script_runner
    legacy_navigation = script_runner._mpa_v1

    def another_session_leaves_legacy_mode_meanwhile(main_script_path):
        PagesManager.uses_pages_directory = False
        legacy_navigation(main_script_path)

    monkeypatch.setattr(script_runner, "_mpa_v1", another_session_leaves_legacy_mode_meanwhile)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [PAGE_FILES[page][0]]
    assert at.sidebar.multiselect, "the frame's filter widgets are there"


def test_requested_page_hash_follows_the_request_not_the_legacy_choice():
    from streamlit.util import calc_hash

    class Pages:
        intended_page_script_hash = ""
        intended_page_name = "trust_roi"

    assert ui.legacy.requested_page_hash(Pages()) == calc_hash("trust_roi")
    Pages.intended_page_script_hash = "abc"
    assert ui.legacy.requested_page_hash(Pages()) == "abc"
    Pages.intended_page_script_hash, Pages.intended_page_name = "", ""
    assert ui.legacy.requested_page_hash(Pages()) == ""


def test_every_url_path_is_its_file_stem():
    """The legacy navigation of a server's first run knows each path, so it never says "Page not found"."""
    from pathlib import Path

    from ui.navigation import PAGES as pages
    assert {Path(path).stem for path, *_ in pages} == {url_path for _, url_path, *_ in pages}
    assert all(Path(path).parent.name == "pages" and Path(path).exists() for path, *_ in pages)


# ---------------------------------------------------------------- languages

def test_default_language_is_chinese(run_app):
    at = run_app()
    assert at.title[0].value == "总览"
    assert at.query_params["lang"] == "zh"


def test_lang_parameter_selects_english(run_app, app_warehouse):
    at = run_app({"lang": "en"})
    assert at.title[0].value == "Overview"
    assert f"Data as of {app_warehouse.as_of.isoformat()}" in sidebar_texts(at)


def test_browser_locale_selects_english_when_the_url_does_not_say(run_app):
    assert run_app(locale="en-US").title[0].value == "Overview"
    assert run_app(locale="zh-CN").title[0].value == "总览"
    assert run_app({"lang": "zh"}, locale="en-US").title[0].value == "总览", "the URL wins"


def test_language_switch_rewrites_the_page_and_the_url(run_app):
    at = run_app()
    at.sidebar.radio(key="f_lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert at.query_params["lang"] == "en"


# ---------------------------------------------------------------- filters in the URL

def test_bad_url_values_are_dropped_with_a_warning(run_app):
    at = run_app({"belt": ["nope", "linyi-apparel"], "from": "2021-13-99", "grain": "week", "category": "cars",
                  "managed_by": "robots", "preset": "forever", "lang": "xx"})
    warning = "\n".join(w.value for w in at.warning)
    for item in ("belt=nope", "from=2021-13-99", "grain=week", "category=cars", "managed_by=robots",
                 "preset=forever", "lang=xx"):
        assert item in warning
    assert at.sidebar.multiselect(key="f_belt").value == ["linyi-apparel"], "the good value is kept"
    assert at.query_params["belt"] == "linyi-apparel", "the URL is cleaned"
    assert "grain" not in at.query_params


def test_a_reversed_range_in_the_url_is_swapped_and_said(run_app):
    at = run_app({"from": "2021-06-30", "to": "2021-04-01", "lang": "en"})
    warning = "\n".join(w.value for w in at.warning)
    assert "The start date was after the end date; the two were swapped." in warning
    assert [str(at.sidebar.date_input(key=k).value) for k in ("f_from", "f_to")] == ["2021-04-01", "2021-06-30"]


def test_a_bad_custom_date_in_the_url_is_said_with_the_range_shown(run_app):
    at = run_app({"preset": "custom", "from": "2021-02-30", "to": "2021-06-30", "lang": "en"})
    warning = "\n".join(w.value for w in at.warning)
    assert "Not a date (YYYY-MM-DD), so left out: `from=2021-02-30`; showing 2021-01-01 – 2021-06-30." in warning


def test_dates_beside_a_preset_are_said_to_be_left_out(run_app):
    at = run_app({"preset": "last_quarter", "from": "2021-04-01", "lang": "en"})
    warning = "\n".join(w.value for w in at.warning)
    assert "The link's dates (`from=2021-04-01`) were left out" in warning and "Last full quarter" in warning
    assert at.sidebar.radio(key="f_grain").value == "quarter", "a quarterly review is by quarter"


def test_url_seeds_the_widgets_and_widgets_write_the_url(run_app):
    at = run_app({"preset": "custom", "from": "2021-04-01", "to": "2021-06-30", "grain": "quarter",
                  "belt": ["yiwu-small-goods", "none"], "managed_by": "provider"})
    assert at.sidebar.selectbox(key="f_preset").value == "custom"
    assert str(at.sidebar.date_input(key="f_from").value) == "2021-04-01"
    assert at.sidebar.radio(key="f_grain").value == "quarter"
    assert sorted(at.sidebar.multiselect(key="f_belt").value) == ["none", "yiwu-small-goods"]
    assert at.sidebar.radio(key="f_managed_by").value == "provider"

    at.sidebar.radio(key="f_grain").set_value("year").run()
    at.sidebar.multiselect(key="f_category").select("food").run()
    assert not at.exception
    assert at.query_params["grain"] == "year"
    assert at.query_params["category"] == "food"
    assert at.query_params["from"] == "2021-04-01" and at.query_params["to"] == "2021-06-30"
    assert sorted(at.query_params["belt"]) == ["none", "yiwu-small-goods"]


def test_filters_survive_a_page_switch_that_drops_the_query(run_app):
    at = run_app({"belt": "linyi-apparel", "grain": "quarter", "lang": "en"})
    at.query_params.clear()  # what a click in the navigation does to the URL
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    assert at.title[0].value == "Sales multiples"
    assert at.query_params["belt"] == "linyi-apparel"
    assert at.query_params["grain"] == "quarter"
    assert at.sidebar.multiselect(key="f_belt").value == ["linyi-apparel"]


def test_presets_count_back_from_the_as_of_date(run_app, app_warehouse):
    at = run_app({"preset": "last30"})
    as_of = app_warehouse.as_of
    import datetime as dt
    expected = f"{(as_of - dt.timedelta(days=29)).isoformat()} 至 {as_of.isoformat()}"
    assert expected in sidebar_texts(at)


def test_switching_to_custom_starts_from_the_range_shown(run_app):
    at = run_app({"preset": "quarter"})
    at.sidebar.selectbox(key="f_preset").set_value("custom").run()
    assert not at.exception
    assert at.query_params["preset"] == "custom"
    assert at.query_params["from"].endswith("-01")


def test_reset_clears_the_filters_but_keeps_the_language(run_app):
    at = run_app({"belt": "linyi-apparel", "grain": "year", "lang": "en"})
    at.sidebar.button(key="reset_filters").click().run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_belt").value == []
    assert dict(at.query_params) == {"lang": "en"}


def test_refresh_button_reruns_cleanly(run_app):
    at = run_app()
    at.sidebar.button(key="refresh_data").click().run()
    assert not at.exception
    assert at.title[0].value == "总览"


# ---------------------------------------------------------------- errors

def test_a_warehouse_without_tables_gets_a_message_not_a_traceback(run_app, tmp_path, monkeypatch):
    import duckdb
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{empty}")
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception
    error = "\n".join(e.value for e in at.error)
    assert "数据仓库缺少数据表" in error
    assert "python -m data_access demo" in error
    assert at.sidebar.button(key="refresh_data")


def test_an_unreachable_warehouse_gets_a_message(run_app, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg://nobody:Pw0rdXyz@127.0.0.1:1/none")
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    error = "\n".join(e.value for e in at.error)
    assert "The warehouse cannot be reached." in error
    assert "Pw0rdXyz" not in error, "never the password"


def test_brand_names_are_never_rendered_as_html(run_app):
    at = run_app({"lang": "en"}, page="pages/sales.py")
    assert not at.get("html")
    assert "unsafe" not in texts(at)
