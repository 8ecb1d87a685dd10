"""Data text shown literally where Markdown is read (names from the warehouse, users from a header, values
from a link; on the pages and in the digests): one line, every Markdown character escaped, never a link."""
import re

from ..export.csv_file import printable

MARKDOWN_SPECIALS = "\\`*_{}[]<>()#+-.!|~$:"
# Where GitHub-flavoured Markdown would start a link by itself (www., scheme://, an e-mail's @). Streamlit
# finds those after escapes are undone, so a backslash cannot stop it; an invisible word joiner can.
LINK_STARTS = re.compile(r"(?i)(?<=www)(?=\.)|(?<=:)(?=//)|(?=@)")
WORD_JOINER = "\u2060"


def single_line(text) -> str:
    """Data text as one line (export.printable): a line break in a name must not hide the rest of it."""
    return printable(str(text))


def plain(text) -> str:
    """Data text (a brand or provider name, a user, a URL value) shown literally where Streamlit reads
    Markdown: on one line, every Markdown character escaped, and never a link."""
    text = LINK_STARTS.sub(WORD_JOINER, single_line(text))
    return "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in text)
