"""The platform's campaign events (616, 818, 双11, …): drawn on every time chart and named in the digests.

They come from the warehouse's table `platform_events` when it has one (`name_zh`, `name_en`, `start_on`,
`end_on`; optional, not part of the seven-table contract), else from the calendar file: BELTBOARD_EVENTS
(the file must exist), else `events.toml` in the project folder (shipped, documented there, the team edits it):

    [[event]]
    name_zh = "双11"
    name_en = "Singles' Day (11.11)"
    start = 2021-11-01            # TOML dates, both days inclusive
    end = 2021-11-11

A calendar that cannot be used raises EventsError, one line naming the file (or table) and what is wrong:
the digest exits 2 with it, a page says it and draws its charts without events.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Date, MetaData, String, Table, inspect, select
from sqlalchemy.exc import DBAPIError

from ..config import PROJECT_ROOT, TomlFile
from ..warehouse.connection import Warehouse, WarehouseError
from ..words.fmt import date_range
from ..words.messages import belt_name

EVENTS_ENV = "BELTBOARD_EVENTS"
DEFAULT_EVENTS_PATH = PROJECT_ROOT / "events.toml"
KEYS = ("name_zh", "name_en", "start", "end")
MAX_NAME_CHARS = 40

# The optional warehouse table (declared here, not in schema.TABLES: a warehouse without it is complete).
platform_events = Table(
    "platform_events", MetaData(),
    Column("name_zh", String(MAX_NAME_CHARS), nullable=False),
    Column("name_en", String(MAX_NAME_CHARS), nullable=False),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date, nullable=False),
)


class EventsError(ValueError):
    """The events calendar cannot be used; str() is one line naming it and the problem."""


@dataclass(frozen=True)
class Event:
    name_zh: str
    name_en: str
    start: dt.date
    end: dt.date

    def name(self, lang: str) -> str:
        """The name in the reader's language: the Chinese one for every Chinese locale (as a belt's)."""
        return belt_name({"name_zh": self.name_zh, "name_en": self.name_en}, lang)

    def describe(self, lang: str) -> str:
        """"双11 (2021-11-01 – 2021-11-11)"."""
        return f"{self.name(lang)} ({date_range(self.start, self.end, lang)})"

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and self.end >= first


def between(events: Iterable[Event], first: dt.date, last: dt.date) -> tuple[Event, ...]:
    """The events that overlap [first, last], by start."""
    return tuple(sorted((e for e in events if e.overlaps(first, last)), key=lambda e: (e.start, e.end, e.name_en)))


# ---------------------------------------------------------------- the calendar file

def events_path() -> Path:
    configured = os.environ.get(EVENTS_ENV, "").strip()
    if not configured:
        return DEFAULT_EVENTS_PATH
    path = Path(configured)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    if not path.is_file():
        raise EventsError(f"{EVENTS_ENV} names {path}, which is not a file")
    return path


def parse_events(raw: Mapping, where: str) -> tuple[Event, ...]:
    def bad(message: str) -> EventsError:
        return EventsError(f"the events calendar {where}: {message}")

    unknown = [k for k in raw if k != "event"]
    if unknown:
        raise bad(f"unknown table or key {unknown[0]!r}; expected [[event]] entries")
    entries = raw.get("event", [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise bad("events must be [[event]] tables")
    return tuple(sorted((_event(i, entry, bad) for i, entry in enumerate(entries, start=1)),
                        key=lambda e: (e.start, e.end, e.name_en)))


def _event(number: int, entry: Mapping, bad) -> Event:
    where = f"event {number}"
    extra = [k for k in entry if k not in KEYS]
    missing = [k for k in KEYS if k not in entry]
    if extra or missing:
        raise bad(f"{where}: " + (f"unknown key {extra[0]!r}" if extra else f"missing {missing[0]!r}")
                  + f"; each event has {', '.join(KEYS)}")
    for key in ("name_zh", "name_en"):
        value = entry[key]
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_NAME_CHARS:
            raise bad(f"{where}: {key} must be a name of 1 to {MAX_NAME_CHARS} characters, not {value!r}")
    for key in ("start", "end"):  # a TOML date (2021-11-11), not a string or a date-time
        value = entry[key]
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise bad(f"{where} ({entry['name_en']}): {key} must be a date such as 2021-11-11, not {value!r}")
    if entry["end"] < entry["start"]:
        raise bad(f"{where} ({entry['name_en']}): it ends ({entry['end']}) before it starts ({entry['start']})")
    return Event(entry["name_zh"].strip(), entry["name_en"].strip(), entry["start"], entry["end"])


_CALENDAR = TomlFile("events calendar", EventsError, lambda raw, path: parse_events(raw, str(path)))


def calendar(path: Path | None = None) -> tuple[Event, ...]:
    """The calendar file's events (re-read when it changes)."""
    return _CALENDAR.load(path or events_path())


# ---------------------------------------------------------------- the warehouse's table

def warehouse_events(wh: Warehouse) -> tuple[Event, ...] | None:
    """The events of the warehouse's `platform_events` table, or None when it has no such table."""
    try:
        present = inspect(wh.engine).has_table(platform_events.name, schema=wh.schema)
    except DBAPIError:
        return None  # the warehouse itself is checked by the reports, which say what is wrong
    if not present:
        return None
    try:
        rows = wh.frame(select(*platform_events.c))
    except WarehouseError as exc:
        raise EventsError(f"the warehouse's {platform_events.name} table cannot be read: {exc}") from None
    where = f"table {platform_events.name} of the warehouse"
    entries = [{"name_zh": r.name_zh, "name_en": r.name_en, "start": r.start_on, "end": r.end_on}
               for r in rows.itertuples()]  # Warehouse.frame types DATE columns as datetime.date
    return parse_events({"event": entries}, where)


def events_for(wh: Warehouse | None) -> tuple[Event, ...]:
    """The events in force: the warehouse's table when it has one, else the calendar file."""
    found = warehouse_events(wh) if wh is not None else None
    return calendar() if found is None else found
