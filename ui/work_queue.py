"""The work queue's widgets (METRICS.md, "Work queue", "Provider scorecard", "Provider cohorts"): the Work queue
page, the brand page's diagnosis and the providers page's scorecard. The pages call one function each, so that
shared page files change by one line; the words (the evidence sentence, days against typical, the owner) are
data_access.metrics.queue_words's, which the digests say too."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access.export.csv_file import cell, narrowed
from data_access.metrics import rules
from data_access.metrics.diagnosis import STATUSES
from data_access.metrics.queue_words import (  # noqa: F401 - the words are data_access's
    FIGURE_FORMATS,
    MEASURES,
    SCORECARD,
    days_vs_typical,
    evidence_sentence,
    evidence_value,
    owner,
    percentile_text,
    thresholds_note,
)
from data_access.views import periods
from data_access.warehouse.schema import NO_BELT

from . import charts, data, fmt, i18n, state, widgets
from .i18n import t

QUEUE_COLUMNS = ("brand_name", "belt_id", "status", "current_step", "evidence_text", "days_vs_typical", "owner",
                 "gmv_30d")
TOP = 10  # owners in the chart
ATTENTION = ("stalled", "at_risk")  # the statuses the queue lists unless on-track brands are asked for


def cells(values) -> list[str]:
    """Values as the CSV writes them, which is what the rows are narrowed by."""
    return [cell(v, False) for v in values]


def _rules(lang: str) -> rules.Rules:
    """The rules in force; a rules file that cannot be used ends the page with its one-line message."""
    try:
        return rules.load_rules()
    except rules.RulesError as exc:
        st.error(widgets.plain(str(exc)), icon=":material/rule:")
        st.stop()


# ---------------------------------------------------------------- the Work queue page

def _counts(queue: pd.DataFrame) -> dict:
    out = {s: int((queue["status"] == s).sum()) for s in STATUSES}
    out["at_stake"] = float(queue.loc[queue["status"] == "stalled", "gmv_30d"].sum())
    return out


def _tiles(now: dict, then: dict, previous_as_of: dt.date, ctx: state.PageContext) -> None:
    lang = ctx.lang

    columns = st.columns(4)
    then_day = previous_as_of.isoformat()
    for column, status, up in zip(columns, STATUSES, (False, False, True)):
        with column:
            widgets.tile(i18n.enum("status", status, lang), fmt.count(now[status]),
                         widgets.versus_change(then_day, then[status], now[status], "count", lang), good_when_up=up,
                         help=t("Brands in progress in STEPS, as of {date}, by status.", lang,
                                date=ctx.as_of.isoformat()), lang=lang)
    with columns[3]:
        widgets.tile(t("GMV at stake (30 days)", lang), fmt.money(now["at_stake"], lang),
                     widgets.versus_change(then_day, then["at_stake"], now["at_stake"], "money", lang),
                     good_when_up=False, lang=lang,
                     help=t("The stalled brands' GMV over the 30 days to the as-of date.", lang))


def shown_queue(queue: pd.DataFrame, ctx: state.PageContext) -> pd.DataFrame:
    """The queue with its words: evidence sentence, days against typical, owner, status and step."""
    lang = ctx.lang
    return queue.assign(
        evidence_text=[evidence_sentence(int(r.current_step), r.evidence, r.threshold, r.peer_evidence, lang)
                       for r in queue.itertuples()],
        days_vs_typical=[days_vs_typical(d, ty, lang) for d, ty in zip(queue["days_in_step"], queue["typical_days"])],
        owner=[owner(n, p, lang) for n, p in zip(queue["provider_name"], queue["provider_id"])],
    )


def _by_owner(words: pd.DataFrame, ctx: state.PageContext) -> None:
    """Who holds the most stalled and at-risk brands: the owners with the most, and their GMV at stake."""
    if words.empty:
        return
    lang = ctx.lang
    counts = (words.groupby("owner", as_index=False).agg(brands=("brand_id", "size"), gmv_30d=("gmv_30d", "sum"))
              .sort_values(["brands", "gmv_30d", "owner"], ascending=[False, False, True], kind="stable").head(TOP))
    st.markdown(f"**{t('Stalled and at-risk brands by owner', lang)}**",
                help=t("The {n} owners with the most stalled or at-risk brands.", lang, n=TOP))
    st.altair_chart(charts.ranking_bars(
        counts, label="owner", value="brands", label_title=t("owner", lang), value_title=t("brands", lang),
        lang=lang, keep_order=True, tooltips=[("gmv_30d", t("gmv_30d", lang), "money")]), theme=None)


def render_page(ctx: state.PageContext) -> None:
    """The Work queue: tiles, the filterable queue (a row opens the brand page), its CSV, the thresholds used."""
    lang, f = ctx.lang, ctx.filters
    used = _rules(lang)
    previous_as_of = periods.period_start(ctx.as_of, f.grain) - dt.timedelta(days=1)
    with data.page_errors():
        queue = data.report("diagnosis", f)
        before = data.report("diagnosis", f.with_(as_of=previous_as_of))
    st.caption(thresholds_note(used, lang))
    _tiles(_counts(queue), _counts(before), previous_as_of, ctx)
    if queue.empty:
        widgets.empty_state(lang=lang)
        return

    words = shown_queue(queue, ctx)
    st.subheader(t("Brands that need attention", lang), help=t(
        "Stalled first, then at risk (longer in the step than is typical), each by GMV over the last 30 days. "
        "The evidence is the current step's, over the 30 days to the as-of date.", lang))
    left, middle, right = st.columns([2, 2, 1])
    owners = sorted(set(words["owner"]))
    belts = sorted(set(words["belt_id"].fillna(NO_BELT)), key=ctx.belt_label)
    picked_owners = left.multiselect(t("Owner", lang), owners, key="p_wq_owner", placeholder=t("All owners", lang))
    picked_belts = middle.multiselect(t("Industry belt", lang), belts, key="p_wq_belt", format_func=ctx.belt_label,
                                      placeholder=t("All belts", lang))
    on_track = right.toggle(t("Show on-track brands", lang), value=False, key="p_wq_on_track")
    # The picks narrow the rows as the export's --where does, by the cells' text ("" for no provider or belt).
    providers = sorted({c for c, o in zip(cells(queue["provider_id"]), words["owner"]) if o in picked_owners})
    where = tuple((column, tuple(values)) for column, values in (
        ("status", () if on_track else ATTENTION), ("provider_id", providers),
        ("belt_id", ["" if b == NO_BELT else b for b in picked_belts])) if values)
    rows = narrowed(queue, where)
    words = narrowed(words, where)
    st.markdown(f"**{t('{n} brands', lang, n=fmt.count(len(rows)))}**")
    widgets.table(words, QUEUE_COLUMNS, key="work_queue", lang=lang, select_brand=True, height=420, labels={
        "belt_id": [ctx.belt_label(b) for b in words["belt_id"]],
        "status": [i18n.enum("status", s, lang) for s in words["status"]],
        "current_step": [i18n.enum("step", int(s), lang) for s in words["current_step"]]})
    widgets.download_button(rows, "work-queue", dataset="diagnosis", where=where)
    _by_owner(words[words["status"] != "on_track"], ctx)


# ---------------------------------------------------------------- the brand page's diagnosis

def render_brand_diagnosis(brand_id: int, ctx: state.PageContext) -> None:
    """The brand's diagnosis, when it is in progress in STEPS: its row of the page filters' queue (the peers and
    typical days are those of the selected brands, as on the Work queue page). Nothing otherwise."""
    lang = ctx.lang
    with data.page_errors():
        queue = data.report("diagnosis", ctx.filters.with_(brand_ids=()))
    mine = queue[queue["brand_id"] == int(brand_id)]
    if mine.empty:
        return
    r = mine.iloc[0]
    step = int(r["current_step"])
    used = _rules(lang)
    st.subheader(t("Diagnosis", lang), help=thresholds_note(used, lang))
    status = i18n.enum("status", r["status"], lang)
    cols = st.columns(4)
    with cols[0]:  # the step's number as the value (a step's name is too long for a tile); its name below
        widgets.tile(t("Current step", lang), t("Step {n}", lang, n=step), lang=lang,
                     lines=[i18n.enum("step", step, lang), t("Status: {status}", lang, status=status)])
    with cols[1]:
        widgets.tile(t(MEASURES[step][0], lang), evidence_value(r["evidence"], step, lang), lang=lang,
                     lines=[evidence_sentence(step, r["evidence"], r["threshold"], r["peer_evidence"], lang)])
    with cols[2]:
        widgets.tile(t("Days in step", lang), fmt.days(r["days_in_step"], lang), lang=lang,
                     lines=[days_vs_typical(r["days_in_step"], r["typical_days"], lang)])
    with cols[3]:
        if step < 5:
            nxt = step + 1
            widgets.tile(t("Next step's bar", lang), evidence_value(used.threshold(nxt), nxt, lang), lang=lang,
                         lines=[f"{i18n.enum('step', nxt, lang)}: {t(MEASURES[nxt][0], lang)}"])
        else:
            widgets.tile(t("Next step's bar", lang), fmt.EMPTY, lang=lang, lines=[t("This is the last step.", lang)])
    (st.warning if r["status"] == "stalled" else st.info)(
        f"{status} · {evidence_sentence(step, r['evidence'], r['threshold'], r['peer_evidence'], lang)} · "
        f"{days_vs_typical(r['days_in_step'], r['typical_days'], lang)}", icon=":material/assignment_late:")


# ---------------------------------------------------------------- the providers page's scorecard

def render_scorecard(provider_id: int, ctx: state.PageContext) -> None:
    """One provider against its main belt's peers (percentile, peer median) and its cohorts against the platform."""
    lang, f = ctx.lang, ctx.filters
    with data.page_errors():
        card = data.report("provider_scorecard", f)
        cohorts = data.report("provider_cohorts", f)
    mine = card[card["provider_id"] == int(provider_id)]
    if mine.empty:
        return
    r = mine.iloc[0]
    st.subheader(t("Scorecard against its belt's peers", lang), help=t(
        "Each figure with its percentile among the providers whose main belt (most served GMV) is the same, and "
        "those peers' median. Green is better than half of the peers.", lang))
    st.caption(t("Main belt: {belt} · {n} providers", lang, belt=ctx.belt_label(r["main_belt"]),
                 n=fmt.count(r["peers"])))
    shown = FIGURE_FORMATS
    for column, (figure, kind) in zip(st.columns(3) + st.columns(3), SCORECARD):
        pct, median = r[f"{figure}_pct"], r.get(f"{figure}_peer_median")
        with column:
            percentile = widgets.Versus(t("its belt's peers", lang), shown[kind](median, lang),
                                        shown[kind](r[figure], lang), percentile_text(pct, lang),
                                        None if fmt.is_empty(pct) else float(pct) - 0.5, trailed=False)
            widgets.tile(t(figure, lang), percentile.after, percentile, lang=lang,
                         lines=[t("peer median {median}", lang, median=percentile.before)])
    own = cohorts[cohorts["provider_id"] == int(provider_id)].rename(columns={"month_start": "period_start"})
    if own.empty:
        return
    st.markdown(f"**{t('Brands taken on, month by month, against the platform', lang)}**", help=t(
        "GMV over the 30 days after taking a brand on over the 30 days before, and the share of those brands "
        "that completed a STEPS step within 90 days; the platform's line is every provider's.", lang))
    left, right = st.columns(2)
    common = {"value_title": "", "period_title": t("period", lang), "series_title": "", "grain": "month",
              "lang": lang}
    with left:
        st.altair_chart(charts.period_lines(own, series=[("after_multiple", t(
            "GMV multiple, 30 days after", lang)), ("platform_after_multiple", t("Platform", lang))],
            kind="multiple", **common, events=ctx.events), theme=None)
    with right:
        st.altair_chart(charts.period_lines(own, series=[("step_within_90d", t(
            "Step completed within 90 days", lang)), ("platform_step_within_90d", t("Platform", lang))],
            kind="rate", **common, events=ctx.events), theme=None)
