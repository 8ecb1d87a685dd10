"""Filters live in the URL: what a page's link holds, read and written without Streamlit.

    ?lang=en&preset=custom&from=2021-04-01&to=2021-06-30&grain=quarter
     &belt=linyi-apparel&belt=none&province=Zhejiang&category=apparel&brand_type=new&managed_by=provider

`decode` validates a URL's values against the warehouse's belts and provinces and the schema
enums, and returns what it had to drop, so the page can say so instead of failing; `encode` is
its inverse, and `page_url` a whole link to a page. The pages (ui.state, ui.sidebar) and the
digests (data_access.digest.compose) share this one encoding, so a digest's link opens the view it describes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from ..warehouse import schema
from ..warehouse.filters import GRAINS, Filters
from ..words.messages import LANGS
from . import periods

# The last full month / quarter / year (a review of a closed period), the running ones, and a custom range.
PRESETS = ("last_month", "last_quarter", "last_year", "ytd", "quarter", "last30", "last90", "custom")
DEFAULT_PRESET = "ytd"
DEFAULT_GRAIN = "month"
PRESET_GRAINS = {"last_month": "month", "last_quarter": "quarter", "last_year": "year"}  # a review's own grain
MIN_BASE_DEFAULT = 10_000   # yuan: a GMV multiple on a smaller base is marked "small base", not ranked
MIN_BASE_MAX = 10**12
LIST_KEYS = {"belt": "belts", "province": "provinces", "category": "categories", "brand_type": "brand_types"}
COMMON_KEYS = ("lang", "preset", "from", "to", "grain", "belt", "province", "category", "brand_type", "managed_by",
               "events", "min_base")
EVENTS_OFF = "off"  # ?events=off: the charts leave the platform events out


@dataclass(frozen=True)
class View:
    """What the URL asks to see, validated. Dates only for the custom preset."""
    lang: str | None = None
    preset: str = DEFAULT_PRESET
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    grain: str = DEFAULT_GRAIN
    belts: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    brand_types: tuple[str, ...] = ()
    managed_by: str | None = None
    events: bool = True             # the charts draw the platform's events (data_access.metrics.events)
    min_base: int = MIN_BASE_DEFAULT  # yuan (ui.widgets: multiples on a smaller base are "small base")

    def with_(self, **changes) -> View:
        return replace(self, **changes)


@dataclass
class Decoded:
    view: View
    dropped: list[str] = field(default_factory=list)  # "key=value" items that were ignored
    swapped: bool = False  # the link's from was after its to: the two were swapped


def default_grain(preset: str) -> str:
    """The grain a preset opens on: a last full quarter is reviewed by quarter; the others by month."""
    return PRESET_GRAINS.get(preset, DEFAULT_GRAIN)


def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None


@dataclass
class _Params:
    """URL parameters read one key at a time; every value refused is listed in `dropped` as "key=value"."""
    params: Mapping[str, Sequence[str] | str]
    dropped: list[str] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        raw = self.params.get(key, [])
        return [raw] if isinstance(raw, str) else [v for v in raw]

    def single(self, key: str, allowed: Collection[str]) -> str | None:
        """The last allowed value of `key` (None without one); every other value is dropped."""
        chosen = None
        for v in self.values(key):
            if v in allowed:
                chosen = v
            else:
                self.dropped.append(f"{key}={v}")
        return chosen

    def several(self, key: str, allowed: Collection[str]) -> tuple[str, ...]:
        """The allowed values of `key`, sorted and unique; others are dropped, except empty ones."""
        kept = []
        for v in self.values(key):
            if v in allowed:
                kept.append(v)
            elif v != "":
                self.dropped.append(f"{key}={v}")
        return tuple(sorted(set(kept)))

    def amount(self, key: str, default: int, maximum: int) -> int:
        """The last whole number 0…maximum of `key` (the default without one); every other value is dropped."""
        chosen = default
        for v in self.values(key):
            text = v.strip()
            if text.isascii() and text.isdigit() and int(text) <= maximum:
                chosen = int(text)
            else:
                self.dropped.append(f"{key}={v}")
        return chosen

    def date(self, key: str) -> dt.date | None:
        """The last ISO date of `key` (None without one); every value that is not one is dropped."""
        chosen = None
        for v in self.values(key):
            d = _iso(v)
            if d is None:
                self.dropped.append(f"{key}={v}")
            else:
                chosen = d
        return chosen


def decode(params: Mapping[str, Sequence[str] | str], known_belts: Collection[str],
           known_provinces: Collection[str], no_belt: bool = True) -> Decoded:
    """A View from URL parameters; unknown or malformed values are dropped and listed.

    `known_belts` and `known_provinces` are the user's (their access scope's): a belt outside it
    is dropped like an unknown one; `no_belt` says whether "none" (brands without a belt) is in it.
    """
    url = _Params(params)
    lang = url.single("lang", LANGS)
    preset = url.single("preset", PRESETS)
    date_from, date_to = url.date("from"), url.date("to")
    swapped = bool(date_from and date_to and date_from > date_to)
    if swapped:  # as the sidebar does with typed dates
        date_from, date_to = date_to, date_from
    if preset is None:
        preset = "custom" if (date_from or date_to) else DEFAULT_PRESET
    if preset != "custom":  # a preset's range is its own: dates beside it are left out, and said so
        url.dropped += [item for key in ("from", "to") for item in (f"{key}={v}" for v in url.values(key))
                        if item not in url.dropped]
        date_from, date_to, swapped = None, None, False
    view = View(
        lang=lang, preset=preset, date_from=date_from, date_to=date_to,
        grain=url.single("grain", GRAINS) or default_grain(preset),
        belts=url.several("belt", set(known_belts) | ({schema.NO_BELT} if no_belt else set())),
        provinces=url.several("province", set(known_provinces)),
        categories=url.several("category", schema.CATEGORIES),
        brand_types=url.several("brand_type", schema.BRAND_TYPES),
        managed_by=url.single("managed_by", schema.MANAGED_BY),
        events=url.single("events", (EVENTS_OFF,)) != EVENTS_OFF,
        min_base=url.amount("min_base", MIN_BASE_DEFAULT, MIN_BASE_MAX),
    )
    return Decoded(view, url.dropped, swapped)


def encode(view: View) -> dict[str, list[str]]:
    """The URL parameters of a View: defaults left out, lists sorted, so equal views give equal URLs."""
    out: dict[str, list[str]] = {}
    if view.lang:
        out["lang"] = [view.lang]
    if view.preset != DEFAULT_PRESET:
        out["preset"] = [view.preset]
    if view.preset == "custom":
        if view.date_from:
            out["from"] = [view.date_from.isoformat()]
        if view.date_to:
            out["to"] = [view.date_to.isoformat()]
    if view.grain != default_grain(view.preset):
        out["grain"] = [view.grain]
    for key, attr in LIST_KEYS.items():
        if getattr(view, attr):
            out[key] = sorted(getattr(view, attr))
    if view.managed_by:
        out["managed_by"] = [view.managed_by]
    if not view.events:
        out["events"] = [EVENTS_OFF]
    if view.min_base != MIN_BASE_DEFAULT:
        out["min_base"] = [str(view.min_base)]
    return out


def last_full(as_of: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """[first, last day] of the last period of `grain` that has ended by the as-of date (the as-of date's own
    period when the data reaches its last day)."""
    start = periods.period_start(as_of, grain)
    if periods.period_end(start, grain) > as_of:
        start = periods.shift(start, grain, -1)
    return start, periods.period_end(start, grain)


def date_range(view: View, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """[from, to] of a view, presets counted back from the as-of date (the last day with data)."""
    if view.preset == "last30":
        return as_of - dt.timedelta(days=29), as_of
    if view.preset == "last90":
        return as_of - dt.timedelta(days=89), as_of
    if view.preset == "quarter":
        return periods.period_start(as_of, "quarter"), as_of
    if view.preset in PRESET_GRAINS:
        return last_full(as_of, PRESET_GRAINS[view.preset])
    if view.preset == "custom":
        date_to = view.date_to or as_of
        date_from = view.date_from or min(dt.date(date_to.year, 1, 1), date_to)
        return date_from, date_to
    return dt.date(as_of.year, 1, 1), as_of


def to_filters(view: View, as_of: dt.date) -> Filters:
    """The Filters of a view: the same object `python -m data_access export` builds from its flags."""
    date_from, date_to = date_range(view, as_of)
    return Filters(
        belts=view.belts, provinces=view.provinces, categories=view.categories, brand_types=view.brand_types,
        managed_by=(view.managed_by,) if view.managed_by else (), date_from=date_from, date_to=date_to,
        grain=view.grain,
    )


def page_url(base_url: str, page: str, view: View, **page_params) -> str:
    """The link to `page` (its url path; "" for the Overview) of the dashboard at `base_url`, showing `view`,
    with page-specific parameters (`brand=42`, `provider=7`) after the common ones."""
    params = {**encode(view), **{key: [str(value)] for key, value in page_params.items() if value is not None}}
    query = urlencode(params, doseq=True)
    return f"{base_url.rstrip('/')}/{page}" + (f"?{query}" if query else "")
