"""Where the warehouse is: WAREHOUSE_URL, else .streamlit/secrets.toml, else the embedded demo.

The schema holding the seven tables (a PostgreSQL schema, a MySQL/MariaDB or ClickHouse
database; for a team that maps its own tables onto the contract with views): WAREHOUSE_SCHEMA,
else `schema` in `[connections.warehouse]` of secrets.toml, else none (the connection's default).

The statement timeout of a reader (seconds): BELTBOARD_STATEMENT_TIMEOUT, else
`statement_timeout` in `[connections.warehouse]` of secrets.toml, else 30.
"""
import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DUCKDB_PATH = PROJECT_ROOT / "data" / "warehouse.duckdb"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def default_url() -> str:
    return f"duckdb:///{DEFAULT_DUCKDB_PATH}"


STATEMENT_TIMEOUT_ENV = "BELTBOARD_STATEMENT_TIMEOUT"
DEFAULT_STATEMENT_TIMEOUT_S = 30.0


def _secrets_warehouse() -> dict:
    if not SECRETS_PATH.is_file():
        return {}
    with SECRETS_PATH.open("rb") as fh:
        secrets = tomllib.load(fh)
    section = secrets.get("connections", {}).get("warehouse", {})
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
    raw = os.environ.get(STATEMENT_TIMEOUT_ENV, "").strip() or _secrets_warehouse().get("statement_timeout")
    if raw in (None, ""):
        return DEFAULT_STATEMENT_TIMEOUT_S
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{STATEMENT_TIMEOUT_ENV} / statement_timeout must be a number of seconds, not {raw!r}")
    if not value > 0:
        raise ValueError(f"{STATEMENT_TIMEOUT_ENV} / statement_timeout must be more than 0 seconds, not {raw!r}")
    return value


def warehouse_url() -> str:
    return configured_url() or default_url()
