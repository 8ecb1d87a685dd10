"""The thresholds of the STEPS evidence (METRICS.md, "Work queue"): METRICS.md's defaults, or a rules file.

The rules file is small TOML (example: docs/rules.example.toml). Its path: the BELTBOARD_RULES
environment variable (the file must exist), else `path` under `[rules]` in .streamlit/secrets.toml,
else .streamlit/rules.toml when present; without any, the defaults apply. A step the file leaves
out keeps its default. A file that cannot be used raises RulesError, whose message is one line
naming the file and what is wrong (the CLI turns it into exit code 2).

    [thresholds]                 # evidence meets its step's bar when it is >= the threshold
    burst_coefficient = 3.0      # step 1
    public_gmv_growth = 1.5      # step 2
    self_live_share = 0.30       # step 3
    private_share = 0.20         # step 4
    exclusive_share = 0.10       # step 5

No Streamlit here: the export command and the dashboard share it.
"""
from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..config import PROJECT_ROOT, TomlFile, secrets_section

RULES_ENV = "BELTBOARD_RULES"
DEFAULT_RULES_PATH = PROJECT_ROOT / ".streamlit" / "rules.toml"

# Step -> the name of its evidence (the rules file's key), and METRICS.md's default bar.
EVIDENCE = {1: "burst_coefficient", 2: "public_gmv_growth", 3: "self_live_share", 4: "private_share",
            5: "exclusive_share"}
DEFAULT_THRESHOLDS = {1: 3.0, 2: 1.5, 3: 0.30, 4: 0.20, 5: 0.10}
SHARES = {3, 4, 5}  # evidence that is a share of GMV: a bar above 1 could never be met
DEFAULTS_SOURCE = "METRICS.md defaults"


class RulesError(ValueError):
    """The rules file cannot be used; str() is one line naming the file and the problem."""


@dataclass(frozen=True)
class Rules:
    """Thresholds by step (hashable, so it can key a cache) and where they came from."""
    thresholds: tuple[tuple[int, float], ...]
    source: str = DEFAULTS_SOURCE           # the file's path, or DEFAULTS_SOURCE

    def threshold(self, step: int) -> float:
        return dict(self.thresholds)[step]

    def describe(self) -> str:
        """One line, e.g. `thresholds (METRICS.md defaults): burst_coefficient>=3, …`."""
        bars = ", ".join(f"{EVIDENCE[step]}>={value:g}" for step, value in self.thresholds)
        return f"thresholds ({self.source}): {bars}"


DEFAULT_RULES = Rules(tuple(sorted(DEFAULT_THRESHOLDS.items())))


def rules_path() -> Path | None:
    """The rules file in use (see the module docstring), or None for the defaults."""
    configured = os.environ.get(RULES_ENV, "").strip()
    where = RULES_ENV
    if not configured:
        try:
            configured = str(secrets_section("rules").get("path", "")).strip()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RulesError(f"cannot read [rules] path from .streamlit/secrets.toml: {exc}") from None
        where = "[rules] path in .streamlit/secrets.toml"
    if configured:
        path = Path(configured)
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        if not path.is_file():
            raise RulesError(f"{where} names {path}, which is not a file")
        return path
    return DEFAULT_RULES_PATH if DEFAULT_RULES_PATH.is_file() else None


_RULES_FILE = TomlFile("rules file", RulesError, lambda raw, path: parse_rules(raw, path))


def load_rules(path: Path | None = None) -> Rules:
    """The thresholds in force: the rules file's (re-read when it changes), else the defaults."""
    path = path or rules_path()
    return DEFAULT_RULES if path is None else _RULES_FILE.load(path)


def parse_rules(raw: Mapping, path: Path | str) -> Rules:
    def bad(message: str) -> RulesError:
        return RulesError(f"the rules file {path}: {message}")

    unknown = [k for k in raw if k != "thresholds"]
    if unknown:
        raise bad(f"unknown table or key {unknown[0]!r}; expected [thresholds]")
    given = raw.get("thresholds", {})
    if not isinstance(given, Mapping):
        raise bad("[thresholds] must be a table")
    step_of = {name: step for step, name in EVIDENCE.items()}
    thresholds = dict(DEFAULT_THRESHOLDS)
    for name, value in given.items():
        if name not in step_of:
            raise bad(f"unknown threshold {name!r}; expected one of {', '.join(EVIDENCE.values())}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise bad(f"thresholds.{name} must be a number ≥ 0, not {value!r}")
        step = step_of[name]
        if step in SHARES and value > 1:
            raise bad(f"thresholds.{name} is a share of GMV: it must lie between 0 and 1, not {value!r}")
        thresholds[step] = float(value)
    return Rules(tuple(sorted(thresholds.items())), source=str(path))
