"""The digest command's work (`python -m data_access digest`, data_access.cli): whose digests, each built once
per scope and language, written (`--out DIR`, or Markdown on stdout) and sent (`--send`, `--all`), every send
or failure an audit line.

Whose: with no roles file, the local manager's (nothing to send it to). With one, `--as-user EMAIL`'s (a user
without a role is a bad argument, exit 2), sent to that user's own delivery and their role's; `--all` sends
every delivery of the roles file (data_access.access.recipients). One recipient's failure does not stop the others;
`run` returns the failures, and the command exits 1 when there are any.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..access import audit
from ..access.recipients import Delivery
from ..access.scope import Scope
from ..metrics import rules
from ..metrics.events import Event
from ..warehouse.connection import Warehouse, WarehouseError
from ..words.messages import DEFAULT_LANG
from . import compose as digest, delivery, render as digest_render
from .compose import Digest


@dataclass(frozen=True)
class Job:
    wh: Warehouse
    as_of: dt.date | None
    days: int
    lang: str | None                    # None: each delivery's, else DEFAULT_LANG
    grain: str
    stalled_days: int
    base_url: str
    events: tuple[Event, ...]
    used: rules.Rules
    out: Path | None                    # write the files here
    send: bool
    audit_path: Path
    audit_required: bool                # access control: a line that cannot be written is an error
    retries: delivery.Retries = delivery.Retries()


@dataclass(frozen=True)
class Failure:
    who: str
    recipient: str
    reason: str

    def line(self) -> str:
        return f"digest for {self.who}: {self.recipient}: {self.reason}"


def _record(job: Job, d_or_scope, target: str, started: float, status: str = "ok", **extra) -> None:
    scope = d_or_scope.scope if isinstance(d_or_scope, Digest) else d_or_scope
    rows = len(d_or_scope.queue) if isinstance(d_or_scope, Digest) else 0
    filters = {"as_of": (d_or_scope.as_of if isinstance(d_or_scope, Digest) else job.as_of), "days": job.days}
    audit.record("digest", user=scope.user, scope=scope.describe(), target=target, filters=filters, rows=rows,
                 duration_ms=(time.perf_counter() - started) * 1000, status=status, path=job.audit_path,
                 required=job.audit_required, **extra)


class _Built:
    """Digests built once per (scope, language): a role's users and the role itself share theirs."""

    def __init__(self, job: Job):
        self.job, self.cache = job, {}

    def get(self, scope: Scope, lang: str) -> Digest:
        key = (scope.kind, scope.belts, scope.provider_id, lang)
        if key not in self.cache:
            job = self.job
            self.cache[key] = digest.build(job.wh, scope, lang=lang, base_url=job.base_url, as_of=job.as_of,
                                           days=job.days, stalled_days=job.stalled_days, grain=job.grain,
                                           used=job.used, events=job.events)
        return replace(self.cache[key], user=scope.user, scope=scope)


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text.replace("@", "_at_")).strip("-") or "digest"


def _write(job: Job, d: Digest, who: str, started: float) -> None:
    """The Markdown, the HTML and the queue's CSV into --out, or the Markdown on stdout."""
    if job.out is None:
        sys.stdout.write(digest_render.markdown(d))
        sys.stdout.flush()
        _record(job, d, "stdout", started)
        return
    stem = f"digest_{safe_name(who)}_{d.as_of.isoformat()}"
    files = {f"{stem}.md": digest_render.markdown(d).encode("utf-8"),
             f"{stem}.html": digest_render.html_page(d).encode("utf-8"),
             f"{safe_name(who)}_{d.queue_file}": d.queue_csv}
    job.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (job.out / name).write_bytes(data)
    _record(job, d, f"out:{job.out}", started, files=sorted(files))
    print(f"digest for {who}: wrote {', '.join(str(job.out / n) for n in files)}")


def _send(job: Job, d: Digest, item: Delivery) -> list[Failure]:
    failures = []
    for recipient in item.recipients:
        started = time.perf_counter()
        outcome = delivery.deliver(d, recipient, job.retries)
        status = "ok" if outcome.ok else "error:delivery"
        _record(job, d, recipient, started, status, delivery=item.name, attempts=outcome.attempts,
                **({"reason": outcome.reason} if not outcome.ok else {}))
        if outcome.ok:
            print(f"digest for {item.name}: sent to {recipient} ({outcome.attempts} attempt"
                  f"{'s' if outcome.attempts != 1 else ''})")
        else:
            tries = f" after {outcome.attempts} attempts" if outcome.attempts > 1 else ""
            failures.append(Failure(item.name, recipient, f"failed{tries}: {outcome.reason}"))
    return failures


def run(job: Job, items: Sequence[Delivery | Scope]) -> list[Failure]:
    """Build each item's digest (a Delivery, or a bare Scope: only written) and write or send it."""
    built, failures = _Built(job), []
    for item in items:
        scope = item.scope if isinstance(item, Delivery) else item
        who = item.name if isinstance(item, Delivery) else scope.user
        lang = job.lang or (item.lang if isinstance(item, Delivery) else None) or DEFAULT_LANG
        started = time.perf_counter()
        if scope.denied:
            reason = scope.reason or f"the role {scope.role!r} may see no data"
            _record(job, scope, "-", started, "refused", reason=reason)
            failures.append(Failure(who, "-", reason))
            continue
        try:
            d = built.get(scope, lang)
        except WarehouseError as exc:
            _record(job, scope, "-", started, f"error:{type(exc).__name__}", reason=str(exc))
            failures.append(Failure(who, "-", f"cannot build it: {exc}"))
            continue
        if job.out is not None or not job.send:
            _write(job, d, who, started)
        if job.send and isinstance(item, Delivery):
            failures += _send(job, d, item)
    return failures
