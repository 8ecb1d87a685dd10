"""The audit log: one JSON line per page view and per export.

    {"ts": "2021-07-01T08:00:00.123+00:00", "event": "page_view", "user": "ops.sd@example.com",
     "scope": "operator:linyi-apparel,none", "target": "sales", "filters": {...}, "rows": 412,
     "duration_ms": 87.3, "status": "ok"}

The file is BELTBOARD_AUDIT_LOG, else `[audit] path` of the roles file, else logs/audit.log
(relative paths are under the project folder). Lines are appended with one write each, so
concurrent sessions do not interleave.

With access control on, the log fails closed: a page first asks `check` whether a line can be
written now (and shows no data when it cannot), an export checks before its data leaves and
exits 1 when its line cannot be written (`record(required=True)` raises AuditError). Without
access control, a line that cannot be written is reported once to the `beltboard.audit` logger
and the sidebar says so.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
import threading
from collections.abc import Mapping
from pathlib import Path

from ..config import PROJECT_ROOT

AUDIT_ENV = "BELTBOARD_AUDIT_LOG"
DEFAULT_AUDIT_PATH = PROJECT_ROOT / "logs" / "audit.log"
MAX_VALUE_CHARS = 200  # a URL value is logged up to this many characters

MIN_FREE_BYTES = 1 << 20  # less room than this on the log's disk counts as full

log = logging.getLogger("beltboard.audit")
_lock = threading.Lock()
_warned: set[Path] = set()


class AuditError(Exception):
    """An audit line that had to be written could not be; str() says where and why."""


def check(path: Path) -> str | None:
    """Why a line cannot be appended to the audit log at `path` now, or None when it can.

    Opens it for appending (a read-only directory, a path below a file, no permission fail here) and
    writes nothing to it (a device that refuses every write, such as /dev/full, refuses that too), then
    checks that the disk holding a regular file has room. Adds no bytes to the log."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, b"")
            if stat.S_ISREG(os.fstat(fd).st_mode):
                disk = os.fstatvfs(fd)
                if disk.f_bavail * disk.f_frsize < MIN_FREE_BYTES:
                    return f"the disk holding the audit log {path} is full"
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot write the audit log {path}: {exc.strerror or exc}"
    return None


def audit_path(configured: str | None = None) -> Path:
    """Where the lines go: BELTBOARD_AUDIT_LOG, else `configured` (the roles file's), else logs/audit.log."""
    text = os.environ.get(AUDIT_ENV, "").strip() or (configured or "").strip()
    if not text:
        return DEFAULT_AUDIT_PATH
    path = Path(text)
    return path if path.is_absolute() else PROJECT_ROOT / path


def clip(value, limit: int = MAX_VALUE_CHARS):
    """A logged value kept short: strings clipped, lists and dicts clipped inside."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + f"…(+{len(value) - limit} chars)"
    if isinstance(value, Mapping):
        return {str(k)[:limit]: clip(v, limit) for k, v in list(value.items())[:50]}
    if isinstance(value, (list, tuple)):
        return [clip(v, limit) for v in list(value)[:50]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clip(str(value), limit)


def record(event: str, *, user: str, scope: str, target: str, filters: Mapping, rows: int,
           duration_ms: float, status: str = "ok", path: Path | None = None, required: bool = False,
           **extra) -> dict:
    """Append one line; returns it (as a dict). A line that cannot be written raises AuditError when
    `required`, else is reported once to the logger."""
    line = {
        "ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
        "event": event, "user": clip(user), "scope": clip(scope), "target": clip(target),
        "filters": clip(dict(filters)), "rows": int(rows), "duration_ms": round(float(duration_ms), 1),
        "status": status, **{k: clip(v) for k, v in extra.items()},
    }
    path = path or audit_path()
    data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    try:
        with _lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
    except OSError as exc:
        if required:
            raise AuditError(f"cannot write the audit log {path}: {exc.strerror or exc}") from None
        if path not in _warned:
            _warned.add(path)
            log.error("cannot write the audit log %s: %s", path, exc.strerror or exc)
    return line


def filters_dict(f) -> dict:
    """The user-chosen fields of a Filters (the scope is logged on its own)."""
    out = {}
    for name in ("belts", "provinces", "categories", "brand_types", "managed_by", "brand_ids"):
        value = getattr(f, name)
        if value:
            out[name] = list(value)
    for name in ("date_from", "date_to", "as_of"):
        value = getattr(f, name)
        if value is not None:
            out[name] = value.isoformat()
    out["grain"] = f.grain
    if f.by:
        out["by"] = f.by
    return out
