"""Words in the reader's language for the pages: data_access.words.messages (the gettext catalogues under locale/, `t`,
the words of enums and provinces), and which language a browser asks for.

The language is always passed in: nothing here reads the session (but `browser_language`, which asks
Streamlit's context what the browser says).
"""
from __future__ import annotations

from collections.abc import Iterable

from babel import Locale, UnknownLocaleError

from data_access.words.messages import (  # noqa: F401 - the pages' words come from here
    DEFAULT_LANG,
    DOMAIN,
    ENUMS,
    LANGS,
    LIST_SEPARATOR,
    LOCALE_DIR,
    N_,
    NC_,
    PROVINCES,
    CatalogueMissing,
    _translations,
    belt_name,
    enum,
    join,
    label,
    languages,
    province,
    t,
    translations,
)

# ---------------------------------------------------------------- which language

def from_locale(tag: str | None, langs: Iterable[str] = LANGS) -> str | None:
    """The closest of `langs` to a browser locale tag: 'zh-CN' -> 'zh', 'zh-Hant-TW' -> 'zh_Hant' when
    there is such a catalogue (else 'zh'), 'en-US' -> 'en', anything else -> None."""
    try:
        wanted = Locale.parse((tag or "").strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    script, territory = wanted.script or "", wanted.territory or ""
    candidates = ("_".join(filter(None, parts)) for parts in ((wanted.language, script, territory),
                                                              (wanted.language, script),
                                                              (wanted.language, territory), (wanted.language,)))
    known = set(langs)
    return next((lang for lang in candidates if lang in known), None)


def from_accept_language(header: str | None, langs: Iterable[str] = LANGS) -> str | None:
    """The first of our languages in an Accept-Language header, by quality."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = from_locale(tag, langs)
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def browser_language() -> str | None:
    """What the browser says, without the URL: st.context.locale, then Accept-Language."""
    import streamlit as st
    locale = getattr(st.context, "locale", None)  # st.context.locale exists since Streamlit 1.46
    try:
        headers = st.context.headers
    except Exception:  # no browser session (bare script mode)
        headers = {}
    return from_locale(locale) or from_accept_language(headers.get("Accept-Language") if headers else None)
