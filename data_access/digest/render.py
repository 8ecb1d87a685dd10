"""A digest (data_access.digest.compose) written out: Markdown for group-chat robots and files, HTML for e-mail.

Markdown: a `#` title, a `##` heading per section, a list item per line, every figure a link to its page.
Names from the warehouse are written literally (data_access.words.text.plain: escaped, never a link by
themselves); our own words only have the few characters escaped that would start Markdown syntax.
`markdown(d, max_bytes=…)` fits a robot's limit by listing fewer lines per section (each keeps its title, its
counts and a link to the rest).

HTML: one self-contained page, readable without images or styles a mail client drops: headings, lists
and links, inline styles only, UTF-8 declared, the language set on <html>, fonts with Chinese glyphs
first-class (PingFang SC, Microsoft YaHei, Noto Sans CJK SC); every text escaped.
"""
from __future__ import annotations

import html
import re

from ..words.fmt import count
from ..words.messages import t
from ..words.text import plain
from .compose import Digest, Line, Piece, Section

OUR_SPECIALS = re.compile(r"([\\`*_\[\]<>|])")
FONT = ('-apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
        '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif')


# ---------------------------------------------------------------- Markdown

def _md_text(piece: Piece) -> str:
    return plain(piece.text) if piece.data else OUR_SPECIALS.sub(r"\\\1", piece.text)


def _md_piece(piece: Piece) -> str:
    text = _md_text(piece)
    return f"[{text}]({_md_url(piece.url)})" if piece.url else text


def _md_url(url: str) -> str:
    """A link target that cannot end the link early: spaces and parentheses percent-encoded."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def md_line(line: Line) -> str:
    return "".join(_md_piece(p) for p in line)


def more(section: Section, shown: int, lang: str) -> Piece | None:
    """"… and 12 more on the page", linked to it, when the section lists fewer than it counts."""
    extra = section.rows - shown
    if extra <= 0:
        return None
    return Piece(t("… and {n} more on the page", lang, n=count(extra, lang)), section.page)


def _md_section(section: Section, lang: str, cap: int | None) -> list[str]:
    out = [f"## {md_line((Piece(section.title),))}", ""]
    if section.intro:
        out += [md_line(section.intro), ""]
    if section.lines:
        shown = section.lines[:cap] if section.total is not None else section.lines  # lists shrink, figures stay
        out += [f"- {md_line(line)}" for line in shown]
        rest = more(section, len(shown), lang)
        if rest:
            out.append(f"- {md_line((rest,))}")
    else:
        out.append(md_line((Piece(section.nothing),)))
    return out + [""]


CAPS = (None, 5, 3, 1, 0)  # lines per section, tried in turn until a message fits


def markdown(d: Digest, max_bytes: int | None = None, headings: bool = True) -> str:
    """The digest as Markdown. Within `max_bytes` of UTF-8 when given: fewer lines per section (each keeps its
    title, its counts and a link to the rest) until it fits; `headings=False` writes the titles in bold
    (for robots that show no headings)."""
    for cap in CAPS if max_bytes else (None,):
        text = _markdown(d, cap, headings)
        if max_bytes is None or len(text.encode("utf-8")) <= max_bytes:
            return text
    return _cut(text, max_bytes)


def _markdown(d: Digest, cap: int | None, headings: bool) -> str:
    lines = [f"# {md_line((Piece(d.title),))}", ""]
    lines += [md_line((Piece(s),)) + "  " for s in d.subtitle] + [""]
    for section in d.sections:
        lines += _md_section(section, d.lang, cap)
    if not headings:
        lines = [re.sub(r"^#+ (.*)$", r"**\1**", line) for line in lines]
    return "\n".join(lines).rstrip() + "\n"


def _cut(text: str, max_bytes: int) -> str:
    """Whole lines of `text` within `max_bytes` (a last resort: the sections alone did not fit)."""
    kept, used = [], 0
    for line in text.splitlines():
        size = len(line.encode("utf-8")) + 1
        if used + size > max_bytes:
            break
        kept.append(line)
        used += size
    return "\n".join(kept) + "\n"


# ---------------------------------------------------------------- HTML

def _html_piece(piece: Piece) -> str:
    text = html.escape(piece.text, quote=False)
    if not piece.url:
        return text
    return f'<a href="{html.escape(piece.url, quote=True)}" style="color:#2B7BE8">{text}</a>'


def html_line(line: Line) -> str:
    return "".join(_html_piece(p) for p in line)


def _html_section(section: Section, lang: str) -> list[str]:
    out = [f'<h2 style="font-size:17px;margin:22px 0 6px;padding-bottom:4px;border-bottom:1px solid #ECEEF2">'
           f"{html.escape(section.title, quote=False)}</h2>"]
    if section.intro:
        out.append(f'<p style="margin:4px 0;color:#4A5060">{html_line(section.intro)}</p>')
    if section.lines:
        items = [f"<li>{html_line(line)}</li>" for line in section.lines]
        rest = more(section, len(section.lines), lang)
        if rest:
            items.append(f"<li>{html_line((rest,))}</li>")
        out += ['<ul style="margin:4px 0;padding-left:20px">', *items, "</ul>"]
    else:
        out.append(f'<p style="margin:4px 0;color:#7A8699">{html.escape(section.nothing, quote=False)}</p>')
    return out


def html_page(d: Digest) -> str:
    """The digest as one HTML page (for e-mail)."""
    subtitle = "".join(f'<p style="margin:2px 0;color:#4A5060">{html.escape(s, quote=False)}</p>' for s in d.subtitle)
    body = "\n".join(line for section in d.sections for line in _html_section(section, d.lang))
    return (f'<!DOCTYPE html>\n<html lang="{d.lang.replace("_", "-")}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(d.title, quote=False)}</title>\n</head>\n"
            f'<body style="margin:0;padding:16px;font-family:{html.escape(FONT)};font-size:14px;line-height:1.6;'
            f'color:#1F2430;background:#FFFFFF">\n<div style="max-width:760px;margin:0 auto">\n'
            f'<h1 style="font-size:20px;margin:0 0 8px">{html.escape(d.title, quote=False)}</h1>\n{subtitle}\n'
            f"{body}\n</div>\n</body>\n</html>\n")
