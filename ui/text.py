"""Data text shown literally where Streamlit reads Markdown: data_access.words.text, shared with the digests."""
from data_access.words.text import LINK_STARTS, MARKDOWN_SPECIALS, WORD_JOINER, plain, single_line  # noqa: F401
