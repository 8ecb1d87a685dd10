"""Data text made safe to show: on one line without control characters (`printable`, for CSV, Excel, pages and
digests alike), and shown literally where Markdown is read (names from the warehouse, users from a header, values
from a link; on the pages and in the digests): one line, every Markdown character escaped, never a link."""
import math
import numbers
import re

import pandas as pd

MARKDOWN_SPECIALS = "\\`*_{}[]<>()#+-.!|~$:"
# Where GitHub-flavoured Markdown would start a link by itself (www., scheme://, an e-mail's @). Streamlit
# finds those after escapes are undone, so a backslash cannot stop it; an invisible word joiner can.
LINK_STARTS = re.compile(r"(?i)(?<=www)(?=\.)|(?<=:)(?=//)|(?=@)")
WORD_JOINER = "\u2060"
SPACES = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")   # line and field breaks
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")                      # every other control character


def printable(text: str) -> str:
    """`text` on one line without control characters: breaks become a space, NUL and the rest go."""
    return CONTROLS.sub("", SPACES.sub(" ", text))


def is_empty(value) -> bool:
    """An empty figure: None, pandas' NA or NaT, NaN or ±inf (a ratio over nothing). A CSV writes it as an empty
    cell, an Excel file as a blank, a page as "—" (ui.fmt)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and not math.isfinite(float(value))


def single_line(text) -> str:
    """Data text as one line (printable): a line break in a name must not hide the rest of it."""
    return printable(str(text))


def plain(text) -> str:
    """Data text (a brand or provider name, a user, a URL value) shown literally where Streamlit reads
    Markdown: on one line, every Markdown character escaped, and never a link."""
    text = LINK_STARTS.sub(WORD_JOINER, single_line(text))
    return "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in text)
