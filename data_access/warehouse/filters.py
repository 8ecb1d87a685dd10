"""The one filters object every report takes, the brand selection it implies, and the dates it may ask for."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, false, func, or_, select

from . import schema
from .schema import brands, industry_belts, provider_assignments

GRAINS = ("month", "quarter", "year")
GROUP_BYS = ("belt", "province", "category", "brand_type", "managed_by")
DEFAULT_STALLED_DAYS = 90
MAX_RANGE_DAYS = 3653        # ten years, leap days included: the longest range a page or an export may ask for
DATA_MARGIN_DAYS = 366       # how far a range may reach beyond the warehouse's first and last day with data


class FilterError(ValueError):
    """A filter value that cannot be used; `argument` names it, `message` says why."""

    def __init__(self, argument: str, message: str):
        self.argument = argument
        self.message = message
        super().__init__(f"{argument}: {message}")


def days_after(day: dt.date, n: int) -> dt.date:
    """`day` + n days (n < 0: before), held at the calendar's ends instead of overflowing."""
    try:
        return day + dt.timedelta(days=n)
    except OverflowError:
        return dt.date.max if n > 0 else dt.date.min


@dataclass(frozen=True)
class Filters:
    """What a person asked to see. Hashable, so it can key a cache."""
    belts: tuple[str, ...] = ()          # belt_id values; schema.NO_BELT selects brands without a belt
    provinces: tuple[str, ...] = ()      # province of the brand's belt
    categories: tuple[str, ...] = ()
    brand_types: tuple[str, ...] = ()
    managed_by: tuple[str, ...] = ()
    date_from: dt.date | None = None     # None: see `resolved`
    date_to: dt.date | None = None
    grain: str = "month"
    by: str | None = None                # a GROUP_BYS value, or None for no breakdown
    as_of: dt.date | None = None         # None: the warehouse's last day with data
    stalled_days: int = DEFAULT_STALLED_DAYS
    min_base: int = 0                    # yuan: the rankings by multiple leave out a smaller base GMV (summaries)
    brand_ids: tuple[int, ...] = ()      # narrow to these brands (a brand page)
    # The access scope (data_access.access.scope.Scope.apply sets both; never a URL or a page):
    # the belts this user may see (None: all; () nothing), and the provider whose clients are
    # the only brands visible (None: no such limit): the brands it serves on `scope_day`, the
    # warehouse's last day with data, which `resolved` fills in (docs/metrics-notes.md, "A
    # provider's view"). Rows of other providers never leave data_access for such a scope.
    scope_belts: tuple[str, ...] | None = field(default=None)
    scope_provider: int | None = field(default=None)
    scope_day: dt.date | None = field(default=None)

    def __post_init__(self):
        for name in ("belts", "provinces", "categories", "brand_types", "managed_by", "brand_ids"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        if self.scope_belts is not None:  # a list from a config file keys a cache the same as its tuple
            object.__setattr__(self, "scope_belts", tuple(sorted(set(self.scope_belts))))
        _check_choice("categories", self.categories, schema.CATEGORIES)
        _check_choice("brand_types", self.brand_types, schema.BRAND_TYPES)
        _check_choice("managed_by", self.managed_by, schema.MANAGED_BY)
        if self.grain not in GRAINS:
            raise FilterError("grain", f"must be one of {', '.join(GRAINS)}, not {self.grain!r}")
        if self.by is not None and self.by not in GROUP_BYS:
            raise FilterError("by", f"must be one of {', '.join(GROUP_BYS)}, not {self.by!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError("from", f"{self.date_from} is after --to {self.date_to}")
        if not isinstance(self.stalled_days, int) or isinstance(self.stalled_days, bool) or self.stalled_days < 0:
            raise FilterError("stalled_days", f"must be a whole number of days ≥ 0, not {self.stalled_days!r}")
        if not isinstance(self.min_base, int) or isinstance(self.min_base, bool) or self.min_base < 0:
            raise FilterError("min_base", f"must be a whole number of yuan ≥ 0, not {self.min_base!r}")

    def resolved(self, as_of: dt.date) -> Filters:
        """Fill the defaults that depend on the data: as-of, and a range of the year to date. `as_of` is
        the warehouse's last day with data; a provider scope counts its clients on it, whatever as-of a
        user asks for (so an earlier as-of cannot bring back a former client)."""
        scope_day = as_of if self.scope_provider is not None else None
        as_of = self.as_of or as_of
        if self.date_to is None and self.date_from is not None and self.date_from > as_of:
            raise FilterError("from", f"{self.date_from} is after the last day with data ({as_of}), where the "
                                      "range ends unless told otherwise")
        date_to = self.date_to or as_of
        date_from = self.date_from or min(dt.date(as_of.year, 1, 1), date_to)
        return replace(self, as_of=as_of, date_from=date_from, date_to=date_to, scope_day=scope_day)

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def without_client_limit(self) -> Filters:
        """These filters without a provider scope's limit to its clients: only for what is the provider's
        own (its served orders, its row of the league) or anonymous over its peers (reports.provider_peers)."""
        return replace(self, scope_provider=None, scope_day=None)

    @property
    def range_days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def base_range(self) -> tuple[dt.date, dt.date]:
        """The range of equal length just before [from, to] (held at the calendar's first day)."""
        return days_after(self.date_from, -self.range_days), days_after(self.date_from, -1)


# ---------------------------------------------------------------- the dates a request may ask for

@dataclass(frozen=True)
class DataSpan:
    """The days a warehouse holds data on: its first (earliest order or onboarding) and last (the as-of date).
    Date ranges are kept within them, give or take DATA_MARGIN_DAYS (`bounded_range`)."""
    first: dt.date
    last: dt.date

    @property
    def low(self) -> dt.date:
        return days_after(self.first, -DATA_MARGIN_DAYS)

    @property
    def high(self) -> dt.date:
        return days_after(self.last, DATA_MARGIN_DAYS)


def bounded_range(date_from: dt.date, date_to: dt.date, span: DataSpan) -> tuple[dt.date, dt.date]:
    """[from, to] made safe to ask for: inside the data's days ± the margin (an end beyond them is cut
    there; a range wholly beyond them moves to that edge, keeping its length), and at most MAX_RANGE_DAYS
    long, keeping its end. Unchanged when it already is; no query ever spans centuries."""
    days = min((date_to - date_from).days, MAX_RANGE_DAYS - 1)  # after `from`, within the cap
    if date_to < span.low:
        return span.low, min(days_after(span.low, days), span.high)
    if date_from > span.high:
        return max(days_after(span.high, -days), span.low), span.high
    date_from, date_to = max(date_from, span.low), min(date_to, span.high)
    return max(date_from, days_after(date_to, -(MAX_RANGE_DAYS - 1))), date_to


def check_range(f: Filters, span: DataSpan) -> None:
    """Raise a FilterError unless the resolved filters' range and as-of date are what `bounded_range`
    keeps (the export refuses what a page would clamp)."""
    if not span.low <= f.as_of <= span.high:
        raise FilterError("as_of", f"{f.as_of} is outside the warehouse's data ({span.first} – {span.last}, "
                                   f"give or take {DATA_MARGIN_DAYS} days)")
    if bounded_range(f.date_from, f.date_to, span) == (f.date_from, f.date_to):
        return
    if f.date_from < span.low or f.date_to > span.high:
        raise FilterError("from" if f.date_from < span.low else "to",
                          f"the range {f.date_from} – {f.date_to} reaches outside the warehouse's data "
                          f"({span.first} – {span.last}, give or take {DATA_MARGIN_DAYS} days)")
    raise FilterError("from", f"the range {f.date_from} – {f.date_to} spans {f.range_days} days; "
                              f"at most {MAX_RANGE_DAYS} (ten years) may be asked for")


def _check_choice(argument: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise FilterError(argument, f"unknown value {unknown[0]!r}; expected one of {', '.join(allowed)}")


def _belt_condition(belt_ids: tuple[str, ...]):
    real = [b for b in belt_ids if b != schema.NO_BELT]
    conditions = []
    if real:
        conditions.append(brands.c.belt_id.in_(real))
    if schema.NO_BELT in belt_ids:
        conditions.append(brands.c.belt_id.is_(None))
    return or_(*conditions) if conditions else false()


def brand_conditions(f: Filters) -> list:
    """WHERE conditions on `brands` (joined to `industry_belts` when provinces are asked for)."""
    conditions = []
    if f.scope_belts is not None:
        conditions.append(_belt_condition(f.scope_belts))
    if f.scope_provider is not None:
        if f.scope_day is None:  # fail closed: without the day, "its clients" is undefined
            raise ValueError("a provider scope needs resolved filters (Filters.resolved) to know its clients")
        a = provider_assignments
        conditions.append(brands.c.brand_id.in_(
            select(a.c.brand_id)
            .where(a.c.provider_id == f.scope_provider, a.c.start_on <= f.scope_day,
                   or_(a.c.end_on.is_(None), a.c.end_on >= f.scope_day)).scalar_subquery()
        ))
    if f.belts:
        conditions.append(_belt_condition(f.belts))
    if f.provinces:
        conditions.append(brands.c.belt_id.in_(
            select(industry_belts.c.belt_id).where(industry_belts.c.province.in_(f.provinces)).scalar_subquery()
        ))
    if f.categories:
        conditions.append(brands.c.category.in_(f.categories))
    if f.brand_types:
        conditions.append(brands.c.brand_type.in_(f.brand_types))
    if f.managed_by:
        conditions.append(brands.c.managed_by.in_(f.managed_by))
    if f.brand_ids:
        conditions.append(brands.c.brand_id.in_(f.brand_ids))
    return conditions


def own_assignments(f: Filters) -> list:
    """WHERE conditions on `provider_assignments`: a provider scope sees only its own assignments (not who
    served its clients before it, nor who took a client over)."""
    if f.scope_provider is None:
        return []
    return [provider_assignments.c.provider_id == f.scope_provider]


def selected_brand_ids(f: Filters):
    """A subquery of the brand_ids the filters select; facts follow their brand."""
    return select(brands.c.brand_id).where(and_(*brand_conditions(f)))


def group_column(by: str | None):
    """The column a breakdown groups by, labelled `group`; brands without a belt fall in `none`."""
    if by is None:
        return None
    if by == "belt":
        return func.coalesce(brands.c.belt_id, schema.NO_BELT).label("group")
    if by == "province":
        return func.coalesce(industry_belts.c.province, schema.NO_BELT).label("group")
    return getattr(brands.c, by).label("group")
