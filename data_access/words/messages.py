"""Words in the reader's language: gettext catalogues, one folder per language under locale/ (no Streamlit:
the pages, through ui.i18n, and the exports, e.g. an Excel file's headers, read the same words).

    locale/zh/LC_MESSAGES/beltboard.po     the Chinese text of every message
    locale/en/LC_MESSAGES/beltboard.po     English: only the column names need words

The message id is the English text (or a column's name, e.g. `gmv_cny`), so
`t("Data as of {date}", lang, date=...)` reads as English in the code and a language without a
translation falls back to it. The language is always passed in: nothing here reads the session.
The languages are the folders of locale/ (a new language is a catalogue file, no code), and each
language code is a CLDR locale, so ui.fmt formats its numbers and dates with Babel.

`make i18n` extracts the messages (Babel, babel.cfg: every `t(...)`, `N_(...)` and `NC_(...)` in
dashboard.py, ui/, pages/ and data_access/), updates the .po files, checks that none is untranslated
or unused, and compiles the .mo files that `t` reads (`make locale`, run by `make run` and `make test`).
"""
from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from babel import Locale

from ..config import PROJECT_ROOT
from ..warehouse.schema import NO_BELT

LOCALE_DIR = PROJECT_ROOT / "locale"
DOMAIN = "beltboard"
DEFAULT_LANG = "zh"


def N_(text: str) -> str:
    """Marks a message whose text is translated later, where it is used (`t(LABELS[key], lang)`)."""
    return text


def NC_(context: str, text: str) -> str:
    """Marks a message that is translated within a context (an enum's kind), where it is used."""
    return text


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue is missing or older than its .po file."""


def languages(locale_dir: Path | None = None) -> tuple[str, ...]:
    """The languages that have a catalogue in `locale_dir`, the default first."""
    folder = locale_dir or LOCALE_DIR
    found = sorted(path.parents[1].name for path in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda lang: lang != DEFAULT_LANG))


LANGS = languages()


def label(lang: str) -> str:
    """A language's name in itself (CLDR): 中文, English, 中文 (繁體)."""
    return Locale.parse(lang).get_display_name(lang)


@cache
def _translations(lang: str, folder: Path) -> gettext.GNUTranslations:
    po = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        raise ValueError(f"no catalogue for language {lang!r} in {folder}")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        raise CatalogueMissing(f"{mo} is missing or older than its .po file: run `make locale`")
    with mo.open("rb") as file:
        return gettext.GNUTranslations(file)


def translations(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of `lang` (read once per process)."""
    return _translations(lang, LOCALE_DIR)


def t(text: str, lang: str, **values) -> str:
    """`text` in `lang`, with `{name}` fields filled from `values`."""
    out = translations(lang).gettext(text)
    return out.format(**values) if values else out


# ---------------------------------------------------------------- words of the data

# Column names that tables and charts show as headers: their messages are declared in data_access.metrics.columns.

# Schema enums: the value in the data -> its English words, translated in the enum's context.
ENUMS: dict[str, dict] = {
    "category": {
        "apparel": NC_("category", "Apparel"), "food": NC_("category", "Food"),
        "beauty": NC_("category", "Beauty"), "home": NC_("category", "Home"),
        "electronics": NC_("category", "Electronics"), "mother_baby": NC_("category", "Mother & baby"),
        "jewelry": NC_("category", "Jewelry"), "agri": NC_("category", "Agricultural"),
    },
    "brand_type": {
        "new": NC_("brand_type", "New brand"), "belt_upgrade": NC_("brand_type", "Belt upgrade (ex white-label)"),
        "established": NC_("brand_type", "Established"), "luxury": NC_("brand_type", "Luxury"),
    },
    "managed_by": {
        "platform": NC_("managed_by", "Platform staff (head)"), "provider": NC_("managed_by", "Service providers"),
    },
    "provider_type": {
        "agency": NC_("provider_type", "Agency"), "mcn": NC_("provider_type", "MCN"),
        "supply_chain": NC_("provider_type", "Supply chain"),
    },
    "state": {
        "not_started": NC_("state", "Not started"), "in_progress": NC_("state", "In progress"),
        "completed": NC_("state", "Step completed"),
    },
    "status": {
        "stalled": NC_("status", "Stalled"), "at_risk": NC_("status", "At risk"), "on_track": NC_("status", "On track"),
    },
    "step": {
        0: NC_("step", "Not started"), 1: NC_("step", "1 Influencer distribution"),
        2: NC_("step", "2 Public-domain traffic"), 3: NC_("step", "3 Brand self-broadcast"),
        4: NC_("step", "4 Private-domain repurchase"), 5: NC_("step", "5 Channel-exclusive products"),
    },
    "by": {
        "belt": NC_("by", "industry belt"), "province": NC_("by", "province"), "category": NC_("by", "category"),
        "brand_type": NC_("by", "brand type"), "managed_by": NC_("by", "managed by"),
    },
}

PROVINCES = (
    NC_("province", "Anhui"), NC_("province", "Beijing"), NC_("province", "Chongqing"), NC_("province", "Fujian"),
    NC_("province", "Gansu"), NC_("province", "Guangdong"), NC_("province", "Guangxi"),
    NC_("province", "Guizhou"), NC_("province", "Hainan"), NC_("province", "Hebei"),
    NC_("province", "Heilongjiang"), NC_("province", "Henan"), NC_("province", "Hubei"), NC_("province", "Hunan"),
    NC_("province", "Inner Mongolia"), NC_("province", "Jiangsu"), NC_("province", "Jiangxi"),
    NC_("province", "Jilin"), NC_("province", "Liaoning"), NC_("province", "Ningxia"),
    NC_("province", "Qinghai"), NC_("province", "Shaanxi"), NC_("province", "Shandong"),
    NC_("province", "Shanghai"), NC_("province", "Shanxi"), NC_("province", "Sichuan"),
    NC_("province", "Tianjin"), NC_("province", "Tibet"), NC_("province", "Xinjiang"), NC_("province", "Yunnan"),
    NC_("province", "Zhejiang"), NC_("province", "Hong Kong"), NC_("province", "Macau"),
    NC_("province", "Taiwan"),
)

LIST_SEPARATOR = NC_("list separator", ", ")


def enum(kind: str, value, lang: str) -> str:
    """A schema enum value (category, brand type, …) in words; unknown values as they are."""
    words = ENUMS[kind].get(value)
    return str(value) if words is None else translations(lang).pgettext(kind, words)


def province(name: str | None, lang: str) -> str:
    """A province (English in the data) in words; None is "No belt"."""
    if name is None:
        return t("No belt", lang)
    return translations(lang).pgettext("province", name)


def join(words: Iterable[str], lang: str) -> str:
    """Items of a list in a sentence: "A、B" / "A, B"."""
    return translations(lang).pgettext("list separator", LIST_SEPARATOR).join(words)


def scope_words(kind: str, belts: Sequence[str] | None, provider_id: int | None, belt_names: Mapping[str, str],
                lang: str, escape: Callable[[str], str] = str) -> str:
    """Whose data this is, as a page says it under its title and an Excel file's About sheet says it; `escape`
    makes a belt's name safe where it is shown (the page's Markdown)."""
    if kind == "operator":
        names = [t("No belt", lang) if b == NO_BELT else belt_names.get(b, b) for b in (belts or ())]
        return t("Your belts: {belts}. Every figure, total and download covers these belts only.", lang,
                 belts=join((escape(n) for n in names), lang))
    if kind == "provider":
        return t("Your brands: every figure, total and download covers only the brands provider #{id} serves on the "
                 "last day with data; other providers appear only as their median and top decile.", lang,
                 id=provider_id)
    return t("manager · every belt", lang)


def belt_name(names, lang: str) -> str:
    """A belt's name from its row (`name_zh`, `name_en`): the Chinese name for every Chinese locale."""
    return names["name_zh"] if _language(lang) == "zh" else names["name_en"]


def belt_names(belts, lang: str) -> dict[str, str]:
    """{belt_id: its name in the reader's language} from reference.belts' rows (name_zh, name_en, province)."""
    return {row["belt_id"]: belt_name(row, lang) for _, row in belts.iterrows()}


@cache
def _language(lang: str) -> str:
    return Locale.parse(lang).language
