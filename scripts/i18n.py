"""The message catalogues (locale/<lang>/LC_MESSAGES/beltboard.po), kept with Babel.

    .venv/bin/python -m scripts.i18n extract          # the code's messages -> every .po (new ones untranslated,
                                                      #   ones the code no longer uses dropped)
    .venv/bin/python -m scripts.i18n check            # exit 1, listing them, if a message is untranslated or unused
    .venv/bin/python -m scripts.i18n compile          # .po -> .mo, what ui.i18n.t reads
    .venv/bin/python -m scripts.i18n absorb FILE      # fill untranslated messages from the `ZH = {...}` dict
                                                      #   (and `EN.update({...})`) of an old ui/i18n.py
    .venv/bin/python -m scripts.i18n explicit-lang FILE...  # give every t("…") call in FILE its `lang` argument

`make i18n` = extract, check, compile. `make locale` (part of `make run` and `make test`) = compile.
The messages are found as babel.cfg says (dashboard.py, ui/, pages/, data_access/) with the keywords
below: `t(text, lang, …)`, `N_(text)` and `NC_(context, text)`. English is the source language: its
catalogue only needs words for message ids that are column names (`gmv_cny` -> "GMV").
"""
from __future__ import annotations

import argparse
import ast
import io
import re
import string
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
DOMAIN = "beltboard"
SOURCE_LANG = "en"
KEYWORDS = {"t": None, "N_": None, "NC_": ((1, "c"), 2)}
COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")


# ---------------------------------------------------------------- extraction

def extract_ast(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """A Babel extraction method over Python's syntax tree: calls of a keyword (`t`, `i18n.t`) whose
    arguments are string literals, also inside f-strings (which Babel's tokenizer skips on Python 3.11)."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in keywords or not node.args:
            continue
        args = tuple(a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                     for a in node.args)
        yield node.lineno, name, args, []


def code_messages(root: Path = ROOT) -> dict[tuple[str | None, str], list[str]]:
    """(context, message id) -> where the code uses it ("file:line"), for every message of the code."""
    with (root / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    top = {pattern.split("/")[0] for pattern, _ in method_map}

    def wanted(path: str) -> bool:  # walk only the folders babel.cfg names (not data/, .venv/)
        return Path(path).relative_to(root).parts[0] in top

    found: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _, context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS, directory_filter=wanted):
        found.setdefault((context, message), []).append(f"{filename}:{lineno}")
    return found


def catalogue_paths(locale_dir: Path = LOCALE_DIR) -> dict[str, Path]:
    """language -> its .po file."""
    return {path.parents[1].name: path for path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=path.parents[1].name, domain=DOMAIN)


def write_catalogue(path: Path, catalogue: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=0, no_location=True, sort_output=True, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def extract(root: Path = ROOT, locale_dir: Path = LOCALE_DIR) -> None:
    """Bring every catalogue in step with the code: add its new messages (untranslated), drop unused ones."""
    messages = code_messages(root)
    for path in catalogue_paths(locale_dir).values():
        catalogue = read_catalogue(path)
        template = Catalog(domain=DOMAIN, creation_date=catalogue.creation_date)
        for (context, message), where in messages.items():
            template.add(message, context=context, locations=[tuple(w.rsplit(":", 1)) for w in where])
        catalogue.update(template, no_fuzzy_matching=True)
        write_catalogue(path, catalogue)


# ---------------------------------------------------------------- the check

def needs_words(lang: str, context: str | None, message: str) -> bool:
    """Whether `message` must have a translation in `lang` (English needs one only for column names)."""
    return lang != SOURCE_LANG or (context is None and COLUMN_NAME.fullmatch(message) is not None)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problems(root: Path = ROOT, locale_dir: Path = LOCALE_DIR) -> list[str]:
    """What is wrong with the catalogues, one line each: untranslated, unused, or a translation whose
    `{fields}` differ from its message's. Empty when all is well."""
    messages = code_messages(root)
    out = []
    for lang, path in catalogue_paths(locale_dir).items():
        catalogue = read_catalogue(path)
        known = {(m.context, m.id) for m in catalogue if m.id}
        for key in sorted(set(messages) - known, key=str):
            out.append(f"{lang}: not in the catalogue (run `make i18n`): {key[1]!r} ({messages[key][0]})")
        for message in catalogue:
            if not message.id:
                continue
            key = (message.context, message.id)
            where = f" [{message.context}]" if message.context else ""
            if key not in messages:
                out.append(f"{lang}: unused (no code uses it): {message.id!r}{where}")
            elif needs_words(lang, *key) and (not message.string or message.fuzzy):
                out.append(f"{lang}: untranslated: {message.id!r}{where} ({messages[key][0]})")
            elif message.string and fields(message.string) != fields(message.id):
                out.append(f"{lang}: the translation's {{fields}} differ: {message.id!r}{where}")
    return out


# ---------------------------------------------------------------- compile

def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every .po -> its .mo (fuzzy translations left out, as gettext would)."""
    written = []
    for path in catalogue_paths(locale_dir).values():
        buffer = io.BytesIO()
        write_mo(buffer, read_catalogue(path))
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != buffer.getvalue():
            mo.write_bytes(buffer.getvalue())
        mo.touch()  # not older than its .po (ui.i18n refuses a stale .mo)
        written.append(mo)
    return written


# ---------------------------------------------------------------- after a merge

def dict_literals(source: str) -> dict[str, dict[str, str]]:
    """The words of the old `ZH = {...}` dict and the `EN.update({...})` dicts in a ui/i18n.py source."""
    found: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(x, ast.Name) and x.id == "ZH" for x in targets) and isinstance(node.value, ast.Dict):
                found["zh"].update(ast.literal_eval(node.value))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "EN" and node.args
              and isinstance(node.args[0], ast.Dict)):
            found["en"].update(ast.literal_eval(node.args[0]))
    return found


def absorb(source: str, locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Fill untranslated messages (no context) from the dicts in `source`; the ids filled, per language."""
    filled = []
    words = dict_literals(source)
    for lang, path in catalogue_paths(locale_dir).items():
        catalogue = read_catalogue(path)
        for message in catalogue:
            text = words.get(lang, {}).get(message.id) if message.id and not message.context else None
            if text and text != message.id and not message.string:
                message.string = text
                filled.append(f"{lang}: {message.id}")
        write_catalogue(path, catalogue)
    return filled


def explicit_lang(source: str) -> str:
    """`source` with `lang` added to every `t("…")` call that has no language argument."""
    data = source.encode("utf-8")  # ast offsets count UTF-8 bytes
    ends = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                and len(node.args) == 1 and not any(k.arg == "lang" for k in node.keywords)):
            first = node.args[0]
            lines = data.splitlines(keepends=True)
            ends.append(sum(len(line) for line in lines[:first.end_lineno - 1]) + first.end_col_offset)
    for end in sorted(ends, reverse=True):
        data = data[:end] + b", lang" + data[end:]
    return data.decode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.i18n", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract")
    sub.add_parser("check")
    sub.add_parser("compile")
    sub.add_parser("absorb").add_argument("file", type=Path)
    sub.add_parser("explicit-lang").add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract()
    elif args.command == "check":
        found = problems()
        print("\n".join(found) or "catalogues: every message translated and used")
        return 1 if found else 0
    elif args.command == "compile":
        for mo in compile_catalogues():
            print(mo.relative_to(ROOT))
    elif args.command == "absorb":
        print("\n".join(absorb(args.file.read_text(encoding="utf-8"))) or "nothing to fill")
    else:
        for path in args.files:
            path.write_text(explicit_lang(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
