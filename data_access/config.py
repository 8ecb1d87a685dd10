"""Where the warehouse is: WAREHOUSE_URL, else .streamlit/secrets.toml, else the embedded demo.

The schema holding the seven tables (a PostgreSQL schema, a MySQL/MariaDB or ClickHouse
database; for a team that maps its own tables onto the contract with views): WAREHOUSE_SCHEMA,
else `schema` in `[connections.warehouse]` of secrets.toml, else none (the connection's default).

The statement timeout of a reader (seconds): BELTBOARD_STATEMENT_TIMEOUT, else
`statement_timeout` in `[connections.warehouse]` of secrets.toml, else 30.

How often a reader looks whether a database server's data changed (seconds): BELTBOARD_GENERATION_CHECK,
else `generation_check` in `[connections.warehouse]`, else 60 (a file is looked at on every use).

Where readers open the dashboard (the digests' links): BELTBOARD_BASE_URL, else `base_url` under `[digest]`
of secrets.toml, else http://127.0.0.1:8501 (what `make run` serves).
"""
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DUCKDB_PATH = PROJECT_ROOT / "data" / "warehouse.duckdb"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def default_url() -> str:
    return f"duckdb:///{DEFAULT_DUCKDB_PATH}"


STATEMENT_TIMEOUT_ENV = "BELTBOARD_STATEMENT_TIMEOUT"
DEFAULT_STATEMENT_TIMEOUT_S = 30.0
GENERATION_CHECK_ENV = "BELTBOARD_GENERATION_CHECK"
DEFAULT_GENERATION_CHECK_S = 60.0  # well inside the dashboard's cache TTL (ui/data.py)


def _secrets() -> dict:
    if not SECRETS_PATH.is_file():
        return {}
    with SECRETS_PATH.open("rb") as fh:
        return tomllib.load(fh)


def _secrets_warehouse() -> dict:
    section = _secrets().get("connections", {}).get("warehouse", {})
    return section if isinstance(section, dict) else {}


def secrets_section(name: str) -> dict:
    """A top-level table of secrets.toml (e.g. `[rules]`), {} when absent."""
    section = _secrets().get(name, {})
    return section if isinstance(section, dict) else {}


def configured_url() -> str | None:
    """The URL someone configured, or None when the embedded default applies."""
    url = os.environ.get("WAREHOUSE_URL", "").strip()
    if url:
        return url
    url = str(_secrets_warehouse().get("url", "")).strip()
    return url or None


SCHEMA_ENV = "WAREHOUSE_SCHEMA"


def warehouse_schema() -> str | None:
    """The configured schema of the contract tables, or None for the connection's default."""
    name = os.environ.get(SCHEMA_ENV, "").strip() or str(_secrets_warehouse().get("schema", "")).strip()
    return name or None


def statement_timeout_s() -> float:
    """How long one query of a reader may run on a database server before the server ends it."""
    return _seconds(STATEMENT_TIMEOUT_ENV, "statement_timeout", DEFAULT_STATEMENT_TIMEOUT_S, zero_ok=False)


def generation_check_s() -> float:
    """How long a reader trusts what it last saw of a database server's data before looking again (0: always)."""
    return _seconds(GENERATION_CHECK_ENV, "generation_check", DEFAULT_GENERATION_CHECK_S, zero_ok=True)


def _seconds(env: str, key: str, default: float, zero_ok: bool) -> float:
    raw = os.environ.get(env, "").strip() or _secrets_warehouse().get(key)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):  # float()'s own message adds nothing to this one
        raise ValueError(f"{env} / {key} must be a number of seconds, not {raw!r}") from None
    if not (value >= 0 if zero_ok else value > 0):
        raise ValueError(f"{env} / {key} must be {'0 or more' if zero_ok else 'more than 0'} seconds, not {raw!r}")
    return value


BASE_URL_ENV = "BELTBOARD_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8501"


def base_url() -> str:
    """The dashboard's address as its readers reach it, without a trailing slash."""
    url = os.environ.get(BASE_URL_ENV, "").strip() or str(secrets_section("digest").get("base_url", "")).strip()
    return (url or DEFAULT_BASE_URL).rstrip("/")


def warehouse_url() -> str:
    return configured_url() or default_url()


class TomlFile:
    """A TOML file (the roles file, the rules file) parsed once per change of its mtime or size, shared by
    every thread of a server; a file that cannot be read is `error`, one line naming it."""

    def __init__(self, what: str, error: type[Exception], parse: Callable[[Mapping, Path], object]):
        self.what, self.error, self.parse = what, error, parse
        self._lock = threading.Lock()
        self._parsed: dict[Path, tuple[tuple[int, int], object]] = {}

    def load(self, path: Path):
        try:
            stat = path.stat()
        except OSError as exc:
            raise self.error(f"cannot read the {self.what} {path}: {exc.strerror}") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._parsed.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise self.error(f"the {self.what} {path} cannot be read: {exc}") from None
        parsed = self.parse(raw, path)
        with self._lock:
            self._parsed[path] = (stamp, parsed)
        return parsed
