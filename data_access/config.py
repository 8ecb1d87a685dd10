"""Where the warehouse is: WAREHOUSE_URL, else .streamlit/secrets.toml, else the embedded demo."""
import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DUCKDB_PATH = PROJECT_ROOT / "data" / "warehouse.duckdb"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def default_url() -> str:
    return f"duckdb:///{DEFAULT_DUCKDB_PATH}"


def configured_url() -> str | None:
    """The URL someone configured, or None when the embedded default applies."""
    url = os.environ.get("WAREHOUSE_URL", "").strip()
    if url:
        return url
    if SECRETS_PATH.is_file():
        with SECRETS_PATH.open("rb") as fh:
            secrets = tomllib.load(fh)
        url = str(secrets.get("connections", {}).get("warehouse", {}).get("url", "")).strip()
        if url:
            return url
    return None


def warehouse_url() -> str:
    return configured_url() or default_url()
