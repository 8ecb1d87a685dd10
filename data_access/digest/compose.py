"""A digest: one user's week in the words of this business, built inside that user's scope.

`build(wh, scope, …)` reads the catalogue's datasets (data_access.metrics.catalogue) with the Filters that
`Scope.apply` makes, exactly as a page or `export --as-user` does, and says what changed in the window
W = A−days+1 … A (A: the as-of date, by default the last day with data):

- the platform events that fall in W (data_access.metrics.events);
- brands that became stalled in W (`steps`: stalled as of A, not as of A−days), and brands that completed
  a step in W (more steps completed as of A than as of A−days);
- the work queue's head (`diagnosis` as of A: stalled, then at risk, by GMV at stake), each with its
  missing evidence in the Work queue page's words (data_access.metrics.queue_words); the whole queue is the
  attachment, the bytes `export diagnosis` writes;
- the last full period's onboarding and GMV with their multiples (base period and counts) and the refund
  rate's change (`onboarding`, `sales`, `trust`, planned as the Overview plans them: data_access.views.plans);
- the campaigns whose T+30 window closed in W (started 30 days before W), ROI at T+0 against T+30 (`roi`);
- for a provider user, its own scorecard line (`provider_scorecard`: its row only, never another's name).

Each section says when it has nothing. Every figure links to the page that shows it: the dashboard's
base URL (config.base_url) with the filters in the link (data_access.views.links, the pages' own encoding).
Numbers and dates are data_access.words.fmt's, the pages' formats. data_access.digest.render writes the result
as Markdown and HTML; data_access.digest.delivery sends it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from string import Formatter

import pandas as pd

from ..access.scope import Scope
from ..export.csv_file import csv_bytes, file_name
from ..metrics import reference, rules
from ..metrics.catalogue import DATASETS
from ..metrics.diagnosis import STATUSES
from ..metrics.events import Event, between
from ..metrics.queue_words import FIGURE_FORMATS, SCORECARD, days_vs_typical, evidence_sentence, owner, percentile_text
from ..views import links, periods, plans
from ..warehouse.connection import Warehouse
from ..warehouse.filters import DEFAULT_STALLED_DAYS, Filters, days_after
from ..words import fmt, messages as words
from ..words.messages import N_, enum, join, t, translations

TOP = 10              # brands listed per section (the page has the rest)
TOP_BELTS = 5         # belts listed under the campaigns
ROI_DAYS = 30         # T+30: a campaign's window closes 30 days after its start


@dataclass(frozen=True)
class Piece:
    """A run of a line: words of ours, or `data` (a name from the warehouse, escaped wherever it is written),
    linked to a page when `url` is set."""
    text: str
    url: str | None = None
    data: bool = False


Line = tuple[Piece, ...]


@dataclass(frozen=True)
class Section:
    key: str                            # events | stalled | completed | queue | period | campaigns | scorecard
    title: str
    lines: tuple[Line, ...]
    nothing: str                        # what the section says when it has no lines
    intro: Line = ()                    # a sentence under the title (what the section counts)
    total: int | None = None            # a list: the rows its lines are the first of (None: figures, all shown)
    page: str | None = None             # where the rest are

    @property
    def rows(self) -> int:
        return len(self.lines) if self.total is None else self.total


@dataclass(frozen=True)
class Digest:
    user: str
    scope: Scope
    lang: str
    as_of: dt.date
    start: dt.date                      # the window's first day
    title: str
    subtitle: tuple[str, ...]           # whose data, the window
    sections: tuple[Section, ...]
    queue: pd.DataFrame = field(repr=False)   # the attachment's rows: the `diagnosis` dataset as of A
    queue_file: str = "work-queue.csv"

    @property
    def queue_csv(self) -> bytes:
        return csv_bytes(self.queue)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


@dataclass(frozen=True)
class _Context:
    """What every section reads: the warehouse, the scoped filters as of A, the window, words and links."""
    wh: Warehouse
    f: Filters                          # scoped, as_of = A
    start: dt.date
    days: int
    lang: str
    base_url: str
    belt_names: dict
    used: rules.Rules

    @property
    def as_of(self) -> dt.date:
        return self.f.as_of

    @property
    def before(self) -> dt.date:
        return days_after(self.as_of, -self.days)

    def run(self, name: str, f: Filters) -> pd.DataFrame:
        dataset = DATASETS[name]
        return dataset.compute(self.wh, f, self.used) if dataset.ruled else dataset.run(self.wh, f)

    def view(self, date_from: dt.date, date_to: dt.date) -> links.View:
        return links.View(lang=self.lang, preset="custom", date_from=date_from, date_to=date_to, grain=self.f.grain)

    def url(self, page: str, date_from: dt.date, date_to: dt.date, **params) -> str:
        """A page showing [date_from, date_to] at the digest's grain, as the digest's figure counts it."""
        return links.page_url(self.base_url, page, self.view(date_from, date_to), **params)

    def page(self, page: str, **params) -> str:
        """A page whose figures are as of the last day with data (STEPS, the work queue) or a brand's page (the
        year to date): the language and the page's own parameters only, so a link in a chat message stays short."""
        return links.page_url(self.base_url, page, links.View(lang=self.lang), **params)

    def brand(self, row) -> Piece:
        return Piece(str(row["brand_name"]), self.page("brand", brand=int(row["brand_id"])), data=True)

    def belt(self, belt_id) -> Piece:
        if fmt.is_empty(belt_id):
            return Piece(t("No belt", self.lang))
        return Piece(self.belt_names.get(belt_id, str(belt_id)), data=True)

    def steps_url(self) -> str:
        stalled = self.f.stalled_days
        return self.page("steps", stalled=stalled if stalled != DEFAULT_STALLED_DAYS else None)


SEP = Piece(" · ")


def said(text: str, lang: str, **values) -> Line:
    """A message in `lang` as pieces: its words, with each value that is a Piece (a name from the warehouse, a
    link) kept as its own piece, so that it is escaped or linked where the line is written."""
    pieces = []
    for literal, name, spec, _conversion in Formatter().parse(translations(lang).gettext(text)):
        if literal:
            pieces.append(Piece(literal))
        if name is not None:
            value = values[name]
            pieces.append(value if isinstance(value, Piece) else Piece(format(value, spec or "")))
    return tuple(pieces)


def build(wh: Warehouse, scope: Scope, *, lang: str, base_url: str, as_of: dt.date | None = None, days: int = 7,
          stalled_days: int = DEFAULT_STALLED_DAYS, grain: str = "month", used: rules.Rules | None = None,
          events: Sequence[Event] = ()) -> Digest:
    """`scope`'s digest of the `days` days to `as_of` (default: the last day with data), in `lang`."""
    latest = wh.as_of()
    f = scope.apply(Filters(stalled_days=stalled_days, grain=grain, as_of=as_of)).resolved(latest)
    names = words.belt_names(reference.belts(wh, f), lang)
    ctx = _Context(wh=wh, f=f, start=days_after(f.as_of, -(days - 1)), days=days, lang=lang, base_url=base_url,
                   belt_names=names, used=used or rules.load_rules())
    queue = ctx.run("diagnosis", f)
    sections = [_events(ctx, events), *_steps(ctx), _queue(ctx, queue), _period(ctx), _campaigns(ctx)]
    if scope.kind == "provider":
        sections.append(_scorecard(ctx, scope.provider_id))
    window = fmt.date_range(ctx.start, f.as_of, lang)
    return Digest(
        user=scope.user, scope=scope, lang=lang, as_of=f.as_of, start=ctx.start,
        title=t("beltboard digest · {window}", lang, window=window),
        subtitle=(words.scope_words(scope.kind, scope.belts, scope.provider_id, names, lang),
                  t("The {days} days to {date}; data as of {latest}.", lang, days=days, date=f.as_of.isoformat(),
                    latest=latest.isoformat())),
        sections=tuple(sections), queue=queue,
        queue_file=file_name(f"work-queue_{f.as_of.isoformat()}", f.with_(date_from=None, date_to=None), "csv"))


# ---------------------------------------------------------------- sections

def _events(ctx: _Context, events: Sequence[Event]) -> Section:
    inside = between(events, ctx.start, ctx.as_of)
    return Section("events", t("Platform events", ctx.lang),
                   tuple((Piece(e.describe(ctx.lang)),) for e in inside),
                   t("No platform event falls in these days.", ctx.lang))


def _listed(rows: pd.DataFrame, line) -> tuple[Line, ...]:
    return tuple(line(r) for _, r in rows.head(TOP).iterrows())


def _steps(ctx: _Context) -> tuple[Section, Section]:
    """Brands that became stalled in the window, and brands that completed a step in it (`steps` at both ends)."""
    lang = ctx.lang
    now = ctx.run("steps", ctx.f)
    before = ctx.run("steps", ctx.f.with_(as_of=ctx.before))
    was_stalled = set(before.loc[before["stalled"], "brand_id"])
    stalled = now[now["stalled"] & ~now["brand_id"].isin(was_stalled)]
    stalled = stalled.sort_values(["days_in_step", "brand_id"], ascending=[False, True], kind="stable")

    def stalled_line(r) -> Line:
        return (ctx.brand(r), SEP, ctx.belt(r["belt_id"]), SEP, Piece(enum("step", int(r["current_step"]), lang)),
                SEP, Piece(t("{days} in the step", lang, days=fmt.days(r["days_in_step"], lang))))

    became = Section(
        "stalled", t("Brands that became stalled: {n}", lang, n=fmt.count(len(stalled), lang)),
        _listed(stalled, stalled_line), t("No brand became stalled in these days.", lang), total=len(stalled),
        page=ctx.steps_url(),
        intro=(Piece(t("In progress in their step for more than {days} days on {date}, and not yet on {before}.",
                       lang, days=ctx.f.stalled_days, date=ctx.as_of.isoformat(), before=ctx.before.isoformat())),
               SEP, Piece(t("STEPS", lang), ctx.steps_url())))

    counted = now.merge(before[["brand_id", "steps_completed"]].rename(columns={"steps_completed": "had"}),
                        how="left", on="brand_id")
    counted["gained"] = counted["steps_completed"] - counted["had"].fillna(0).astype(int)
    done = counted[counted["gained"] > 0].sort_values(["gained", "current_step", "brand_id"],
                                                      ascending=[False, False, True], kind="stable")

    def done_line(r) -> Line:
        return (ctx.brand(r), SEP, ctx.belt(r["belt_id"]), SEP,
                Piece(t("+{n} completed; now {step}, {state}", lang, n=int(r["gained"]),
                        step=enum("step", int(r["current_step"]), lang), state=enum("state", r["state"], lang))))

    completed = Section("completed", t("Brands that completed a step: {n}", lang, n=fmt.count(len(done), lang)),
                        _listed(done, done_line), t("No brand completed a step in these days.", lang),
                        total=len(done), page=ctx.steps_url())
    return became, completed


def _queue(ctx: _Context, queue: pd.DataFrame) -> Section:
    """The work queue's head: stalled, then at risk, by GMV at stake, with the missing evidence in words."""
    lang = ctx.lang
    url = ctx.page("work_queue")
    counts = {s: int((queue["status"] == s).sum()) for s in STATUSES}
    at_stake = float(queue.loc[queue["status"] == "stalled", "gmv_30d"].sum())
    intro = (Piece(join([f"{enum('status', s, lang)} {fmt.count(counts[s], lang)}" for s in STATUSES[:2]], lang),
                   url), SEP,
             Piece(f"{t('GMV (30 days) at stake in stalled brands', lang)} "), Piece(fmt.money(at_stake, lang), url))
    head = queue[queue["status"] != "on_track"]

    def line(r) -> Line:
        step = int(r["current_step"])
        return (ctx.brand(r), SEP, Piece(enum("status", r["status"], lang)), SEP, Piece(enum("step", step, lang)),
                SEP, Piece(evidence_sentence(step, r["evidence"], r["threshold"], r["peer_evidence"], lang)), SEP,
                Piece(days_vs_typical(r["days_in_step"], r["typical_days"], lang)), SEP,
                Piece(owner(r["provider_name"], r["provider_id"], lang), data=not fmt.is_empty(r["provider_id"])),
                SEP, Piece(f"{t('gmv_30d', lang)} "), Piece(fmt.money(r["gmv_30d"], lang), url))

    return Section("queue", t("Work queue", lang), _listed(head, line),
                   t("No brand in STEPS is stalled or at risk.", lang), intro=intro, total=len(head), page=url)


def _multiple_line(label: str, value: str, multiple, previous: str, before: str, url: str, lang: str) -> Line:
    """"Brands onboarded · 2021年12月: 123 1.5× 对比 2021年11月（82 → 123）": the Overview tile's words."""
    return (Piece(f"{label}: "), Piece(value, url), Piece(" "), Piece(fmt.multiple(multiple, lang), url), Piece(" "),
            Piece(t("vs {period} ({before} → {after})", lang, period=previous, before=before, after=value)))


def _period(ctx: _Context) -> Section:
    """The last full period's onboarding and GMV with their multiples, and the refund rate's change (the
    Overview's tiles, planned as it plans them)."""
    lang, grain = ctx.lang, ctx.f.grain
    f = ctx.f.with_(date_from=periods.shift(periods.period_start(ctx.as_of, grain), grain, -1), date_to=ctx.as_of)
    pair = plans.last_full_period(f.date_from, f.date_to, grain)
    ext = plans.extended(f)
    rows = {name: (plans.row_at(df, pair.current), plans.row_at(df, pair.previous))
            for name, df in (("onboarding", ctx.run("onboarding", ext)), ("sales", ctx.run("sales", ext)),
                             ("trust", ctx.run("trust", ext)))}
    period, previous = fmt.period(pair.current, grain, lang), fmt.period(pair.previous, grain, lang)
    first, last = pair.current, periods.period_end(pair.current, grain)
    (onb, onb_before), (sal, sal_before), (tru, tru_before) = rows["onboarding"], rows["sales"], rows["trust"]
    if onb is None or sal is None or tru is None:
        return Section("period", t("Last full period: {period}", lang, period=period), (),
                       t("No data for this period.", lang))
    lines = [
        _multiple_line(t("Brands onboarded · {period}", lang, period=period), fmt.count(onb["brands_onboarded"], lang),
                       onb["growth_multiple"], previous, fmt.count(onb_before["brands_onboarded"], lang),
                       ctx.url("onboarding", first, last), lang),
        _multiple_line(t("GMV · {period}", lang, period=period), fmt.money(sal["gmv_cny"], lang),
                       sal["gmv_multiple"], previous, fmt.money(sal_before["gmv_cny"], lang),
                       ctx.url("sales", first, last), lang),
    ]
    change = (None if fmt.is_empty(tru["refund_rate"]) or fmt.is_empty(tru_before["refund_rate"])
              else float(tru["refund_rate"]) - float(tru_before["refund_rate"]))
    url = ctx.url("trust_roi", first, last)
    lines.append((Piece(f"{t('Refund rate · {period}', lang, period=period)}: "),
                  Piece(fmt.rate(tru["refund_rate"], lang), url), Piece(" "), Piece(fmt.points(change, lang), url),
                  Piece(" "), Piece(t("vs {period} ({before})", lang, period=previous,
                                      before=fmt.rate(tru_before["refund_rate"], lang)))))
    return Section("period", t("Last full period: {period}", lang, period=period), tuple(lines),
                   t("No data for this period.", lang))


def _campaigns(ctx: _Context) -> Section:
    """Campaigns whose T+30 window closed in the window: started ROI_DAYS days before it."""
    lang = ctx.lang
    first, last = days_after(ctx.start, -ROI_DAYS), days_after(ctx.as_of, -ROI_DAYS)
    f = ctx.f.with_(date_from=first, date_to=last)
    total = ctx.run("roi", f).iloc[0]
    title = t("Campaigns whose T+30 closed", lang)
    nothing = t("No campaign's T+30 window closed in these days.", lang)
    if int(total["campaigns"]) == 0:
        return Section("campaigns", title, (), nothing)
    url = ctx.url("trust_roi", first, last)

    def line(label: list[Piece], r) -> Line:
        return (*label, Piece(": "),
                Piece(t("{n} campaigns, spend {spend}", lang, n=fmt.count(r["campaigns"], lang),
                        spend=fmt.money(r["spend_cny"], lang)), url), SEP,
                Piece(t("ROI T+0", lang) + " "), Piece(fmt.ratio(r["roi_t0"], lang), url), Piece(" → "),
                Piece(t("ROI T+30", lang) + " "), Piece(fmt.ratio(r["roi_t30"], lang), url))

    lines = [line([Piece(t("All", lang))], total)]
    by_belt = ctx.run("roi", f.with_(by="belt"))
    by_belt = by_belt[by_belt["campaigns"] > 0].sort_values(["spend_cny", "group"], ascending=[False, True])
    if len(by_belt) > 1:
        lines += [line([ctx.belt(None if r["group"] == "none" else r["group"])], r)
                  for _, r in by_belt.head(TOP_BELTS).iterrows()]
    intro = (Piece(t("Started {dates}; their T+30 windows closed in these days.", lang,
                     dates=fmt.date_range(first, last, lang))),)
    return Section("campaigns", title, tuple(lines), nothing, intro=intro)


def _scorecard(ctx: _Context, provider_id: int) -> Section:
    """A provider's own scorecard line for the last full period: its figures against its belt's peers (their
    percentile and median, never a name)."""
    lang, grain = ctx.lang, ctx.f.grain
    pair = plans.last_full_period(periods.shift(periods.period_start(ctx.as_of, grain), grain, -1), ctx.as_of,
                                  grain)
    first, last = pair.current, periods.period_end(pair.current, grain)
    card = ctx.run("provider_scorecard", ctx.f.with_(date_from=first, date_to=last))
    mine = card[card["provider_id"] == provider_id]
    title = t("Your scorecard · {period}", lang, period=fmt.period(pair.current, grain, lang))
    if mine.empty:
        return Section("scorecard", title, (), t("You served no brand in this period.", lang))
    r = mine.iloc[0]
    url = ctx.url("providers", first, last, provider=provider_id)
    lines = []
    for figure, kind in SCORECARD:
        value = FIGURE_FORMATS[kind](r[figure], lang)
        median = FIGURE_FORMATS[kind](r[f"{figure}_peer_median"], lang)
        lines.append((Piece(f"{t(figure, lang)}: "), Piece(value, url), SEP,
                      Piece(percentile_text(r[f"{figure}_pct"], lang)), SEP,
                      Piece(t("peer median {median}", lang, median=median))))
    intro = said(N_("Main belt: {belt} · {n} providers"), lang,
                 belt=ctx.belt(None if r["main_belt"] == "none" else r["main_belt"]), n=fmt.count(r["peers"], lang))
    return Section("scorecard", title, tuple(lines), t("You served no brand in this period.", lang), intro=intro)
