"""`python -m data_access export|digest|demo|build-marts|check|load …`: every dataset of the catalogue
(`export --list`) for scheduled jobs and spreadsheets, each user's digest by e-mail or group chat (`digest`), and a
warehouse copied between engines (`load`).

Exit codes: 0 done, 1 the warehouse failed, a build could not write it, a digest could not be delivered to
someone or (with a roles file) the audit line cannot be written (one line naming where, never a password or
a webhook's URL), 2 a bad argument (one line naming it: also a user without a role, a broken events calendar).

Scope of an export: with no roles file (data_access.access.roles) it is everything, as a local manager.
With a roles file, the export runs as `--as-user EMAIL`, inside that user's scope, and without
`--as-user` it refuses (exit 2): a scheduled job must say whose data it writes. Each export
appends an audit line (data_access.access.audit), refused and failed ones too. With a roles file the
audit log is checked before any data leaves: an export that cannot be recorded writes nothing.
"""
import argparse
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

from sqlalchemy import select

from .access import audit, roles as access_roles, scope as access_scope
from .export.csv_file import Where, csv_bytes, narrowed
from .metrics import reference, rules
from .warehouse import schema
from .warehouse.build import writing
from .warehouse.connection import Warehouse, WarehouseError
from .warehouse.filters import DEFAULT_STALLED_DAYS, GRAINS, GROUP_BYS, FilterError, Filters, check_range
from .words import messages as words
from .words.messages import DEFAULT_LANG, LANGS

MAX_DIGEST_DAYS = 366


class ArgumentError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr and exit code 2."""

    def error(self, message):
        raise ArgumentError(message)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {text!r}")
    return value


def column_value(text: str) -> tuple[str, str]:
    column, equals, value = text.partition("=")
    if not equals or not column:
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    return column, value


def where_of(pairs: list[tuple[str, str]]) -> Where:
    """`--where` pairs as export.narrowed takes them: each column once, with every value asked for it."""
    columns = dict.fromkeys(column for column, _ in pairs)
    return tuple((column, tuple(dict.fromkeys(v for c, v in pairs if c == column))) for column in columns)


def parser() -> OneLineParser:
    from .metrics.catalogue import DATASETS
    root = OneLineParser(prog="python -m data_access", description="beltboard warehouse commands")
    commands = root.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    export = commands.add_parser("export", help="write a dataset of the catalogue as CSV (UTF-8 with BOM)")
    export.add_argument("report", nargs="?", choices=sorted(DATASETS), metavar="report",
                        help="a dataset (--list names them all)")
    export.add_argument("--list", action="store_true", help="print every dataset and what it holds, one per line")
    export.add_argument("--brand", type=whole_number, metavar="ID",
                        help="one brand: the subject of a brand's dataset, or a narrower selection for the others")
    export.add_argument("--provider", type=whole_number, metavar="ID",
                        help="the provider of a dataset about one provider")
    export.add_argument("--from", dest="date_from", type=iso_date)
    export.add_argument("--to", dest="date_to", type=iso_date)
    export.add_argument("--grain", choices=GRAINS, default="month")
    export.add_argument("--by", choices=GROUP_BYS)
    export.add_argument("--belt", action="append", default=[], metavar="ID")
    export.add_argument("--province", action="append", default=[])
    export.add_argument("--category", action="append", default=[], choices=schema.CATEGORIES)
    export.add_argument("--brand-type", action="append", default=[], choices=schema.BRAND_TYPES)
    export.add_argument("--managed-by", action="append", default=[], choices=schema.MANAGED_BY)
    export.add_argument("--as-of", type=iso_date)
    export.add_argument("--stalled-days", type=whole_number, default=90)
    export.add_argument("--min-base", type=whole_number, default=0, metavar="YUAN",
                        help="rankings by multiple leave out brands whose base GMV is below this (top_movers)")
    export.add_argument("--where", action="append", default=[], type=column_value, metavar="COLUMN=VALUE",
                        help="only the rows whose COLUMN holds VALUE, as the CSV writes it (empty: an empty cell); "
                             "repeated for one column: any of the values")
    export.add_argument("--out", metavar="FILE")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                        help="csv (default: UTF-8 with BOM, stable English columns) or xlsx (for people: words, "
                             "formats, an About sheet)")
    export.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                        help=f"the language of an xlsx file's headers, words and About sheet (default {DEFAULT_LANG})")
    export.add_argument("--url", help="warehouse URL (default: WAREHOUSE_URL, secrets.toml, the demo file)")
    export.add_argument("--as-user", metavar="EMAIL",
                        help="export within this user's scope from the roles file (required when there is one)")

    demo = commands.add_parser("demo", help="build the demo warehouse")
    demo.add_argument("--orders", type=whole_number, default=1_000_000)
    demo.add_argument("--seed", type=whole_number, default=7)
    demo.add_argument("--url", help="target (default: the embedded DuckDB file data/warehouse.duckdb)")
    demo.add_argument("--if-missing", action="store_true",
                      help="do nothing when a warehouse is configured or the demo file already exists")
    build = commands.add_parser("build-marts", help="bring the pre-aggregated marts inside the warehouse up to date: "
                                                    "incrementally when only new orders arrived, else in full")
    build.add_argument("--url", help="warehouse URL (default: WAREHOUSE_URL, secrets.toml, the demo file)")
    build.add_argument("--owned", action="store_true",
                       help="the warehouse is yours to write to (needed unless beltboard created it)")
    build.add_argument("--schema", help="build the marts into this schema (database), beside the contract's views")
    build.add_argument("--full", action="store_true", help="rebuild every mart in full, even when a refresh could do")
    _add_check(commands)
    _add_digest(commands)
    copy = commands.add_parser("load", help="copy a warehouse of the seven tables (a DuckDB file or a folder of "
                                            "Parquet files, one per table) into any backend, then build its marts")
    copy.add_argument("--from", dest="source", required=True, metavar="DUCKDB_FILE_OR_PARQUET_DIR")
    copy.add_argument("--url", required=True, help="the target warehouse (created by beltboard, or new)")
    return root


def _add_digest(commands) -> None:
    digest = commands.add_parser("digest", help="a user's digest of the last days: Markdown, HTML and the work "
                                                "queue as CSV; --send delivers it (roles file: who gets what)")
    who = digest.add_mutually_exclusive_group()
    who.add_argument("--as-user", metavar="EMAIL", help="the digest of this user of the roles file (their scope)")
    who.add_argument("--all", action="store_true",
                     help="build and send every digest the roles file delivers (what a cron job runs)")
    digest.add_argument("--as-of", type=iso_date, help="the digest's last day (default: the last day with data)")
    digest.add_argument("--days", type=digest_days, default=7, help="the days it covers, to --as-of (default 7)")
    digest.add_argument("--lang", choices=LANGS, help=f"its language (default: the delivery's, else {DEFAULT_LANG})")
    digest.add_argument("--grain", choices=GRAINS, default="month", help="the period of its last full period")
    digest.add_argument("--stalled-days", type=whole_number, default=90)
    digest.add_argument("--out", metavar="DIR", help="write the Markdown, the HTML and the queue's CSV here")
    digest.add_argument("--send", action="store_true", help="deliver it as the roles file says")
    digest.add_argument("--url", help="warehouse URL (default: WAREHOUSE_URL, secrets.toml, the demo file)")


def digest_days(text: str) -> int:
    value = whole_number(text)
    if not 1 <= value <= MAX_DIGEST_DAYS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_DIGEST_DAYS} days, got {text!r}")
    return value


def _digest_items(args) -> tuple[list, access_roles.Roles | None]:
    """Whose digests (deliveries, or a bare scope to write) and the roles file, or ArgumentError."""
    try:
        roles = access_roles.load_roles()
    except access_roles.RolesError as exc:
        raise ArgumentError(str(exc)) from None
    if roles is None:
        if args.as_user or args.all or args.send:
            raise ArgumentError("there is no roles file (.streamlit/roles.toml or "
                                f"{access_roles.ROLES_ENV}) to find {'--as-user' if args.as_user else 'recipients'} in")
        return [access_scope.LOCAL_MANAGER], None
    if args.all:
        if not roles.deliveries:
            raise ArgumentError(f"argument --all: the roles file ({roles.path}) delivers no digest "
                                "([roles.<name>.digest] or [digest.\"user\"])")
        return list(roles.deliveries), roles
    if not args.as_user:
        raise ArgumentError(f"a roles file is configured ({roles.path}): pass --as-user EMAIL or --all")
    scope = roles.scope_for(args.as_user)
    if scope.denied:
        raise ArgumentError(f"argument --as-user: {scope.reason}")
    if not args.send:
        return [scope], roles
    mine = roles.deliveries_for(scope)
    if not mine:
        raise ArgumentError(f"argument --send: the roles file delivers no digest to {scope.user} "
                            f"([digest.\"{scope.user}\"] or [roles.{scope.role}.digest])")
    return list(mine), roles


def digest(args) -> int:
    from .config import base_url
    from .digest import delivery, job as digest_job
    from .metrics import events
    items, roles = _digest_items(args)
    log_path = audit.audit_path(roles.audit_log if roles else None)
    problem = audit.check(log_path) if roles else None
    if problem:  # access control: a digest nobody can trace is not sent
        raise audit.AuditError(f"{problem}; no digest was built")
    wh = Warehouse(args.url)
    check_range(Filters(as_of=args.as_of).resolved(wh.as_of()), reference.data_span(wh))
    try:
        retries = delivery.Retries.configured()
        calendar = events.events_for(wh)
    except (delivery.SettingsError, events.EventsError) as exc:
        raise ArgumentError(str(exc)) from None
    job = digest_job.Job(wh=wh, as_of=args.as_of, days=args.days, lang=args.lang, grain=args.grain,
                         stalled_days=args.stalled_days, base_url=base_url(), events=calendar,
                         used=rules.load_rules(), out=Path(args.out) if args.out else None,
                         send=args.send or args.all, audit_path=log_path, audit_required=roles is not None,
                         retries=retries)
    failures = digest_job.run(job, items)
    for failure in failures:
        print(f"error: {failure.line()}", file=sys.stderr)
    return 1 if failures else 0


def _add_check(commands) -> None:
    check = commands.add_parser("check", help="check the warehouse against the contract (../shared/WAREHOUSE.md)")
    check.add_argument("--url", help="warehouse URL (default: WAREHOUSE_URL, secrets.toml, the demo file)")
    check.add_argument("--schema", help="the schema (database) holding the seven tables or views "
                                        "(default: WAREHOUSE_SCHEMA, secrets.toml, the connection's)")
    check.add_argument("--sample", type=whole_number, default=5, help="example keys per finding (default 5)")
    check.add_argument("--format", choices=("text", "json"), default="text")


def check(args) -> int:
    from .warehouse.contract_check import check as run_check
    result = run_check(Warehouse(args.url, schema=args.schema), sample=args.sample)
    print(result.json() if args.format == "json" else result.text())
    return result.exit_code


def _filters(args) -> Filters:
    return Filters(
        brand_ids=(args.brand,) if args.brand is not None else (), belts=tuple(args.belt),
        provinces=tuple(args.province), categories=tuple(args.category),
        brand_types=tuple(args.brand_type), managed_by=tuple(args.managed_by),
        date_from=args.date_from, date_to=args.date_to, grain=args.grain, by=args.by, as_of=args.as_of,
        stalled_days=args.stalled_days, min_base=getattr(args, "min_base", 0),
    )


def export_command(dataset: str, f: Filters, provider_id: int | None = None, user: str | None = None,
                   where: Where = ()) -> str:
    """The export command that writes `dataset` for these filters (the user's, outside any scope) and rows, for a
    download to say how the same file is written again, e.g. by a scheduled job."""
    if len(f.brand_ids) > 1:
        raise ValueError("an export narrows to one brand at most")
    args = ["python", "-m", "data_access", "export", dataset]
    if provider_id is not None:
        args += ["--provider", str(provider_id)]
    args += [a for brand in f.brand_ids for a in ("--brand", str(brand))]
    for option, value in (("--from", f.date_from), ("--to", f.date_to), ("--as-of", f.as_of)):
        if value is not None:
            args += [option, value.isoformat()]
    if f.grain != "month":
        args += ["--grain", f.grain]
    if f.by:
        args += ["--by", f.by]
    for option, values in (("--belt", f.belts), ("--province", f.provinces), ("--category", f.categories),
                           ("--brand-type", f.brand_types), ("--managed-by", f.managed_by)):
        args += [a for value in values for a in (option, value)]
    if f.stalled_days != DEFAULT_STALLED_DAYS:
        args += ["--stalled-days", str(f.stalled_days)]
    if f.min_base:
        args += ["--min-base", str(f.min_base)]
    args += [a for column, values in where for value in values for a in ("--where", f"{column}={value}")]
    if user:
        args += ["--as-user", user]
    return shlex.join(args)


def _check_known(wh: Warehouse, f: Filters) -> None:
    """Belts and provinces that the warehouse does not know are bad arguments, not empty reports."""
    known = wh.frame(select(schema.industry_belts.c.belt_id, schema.industry_belts.c.province))
    for argument, asked, valid in (("--belt", f.belts, set(known["belt_id"]) | {schema.NO_BELT}),
                                   ("--province", f.provinces, set(known["province"]))):
        unknown = [v for v in asked if v not in valid]
        if unknown:
            raise ArgumentError(f"argument {argument}: unknown value {unknown[0]!r}")
    if f.scope_belts is not None:
        outside = [b for b in f.belts if b not in f.scope_belts]
        if outside:
            raise ArgumentError(f"argument --belt: {outside[0]!r} is outside the belts of --as-user")


def _scope(args) -> tuple[access_scope.Scope, access_roles.Roles | None]:
    """Whose data this export writes: the local manager without a roles file, else --as-user's scope."""
    try:
        roles = access_roles.load_roles()
    except access_roles.RolesError as exc:
        raise ArgumentError(str(exc)) from None
    if roles is None:
        if args.as_user:
            raise ArgumentError("argument --as-user: there is no roles file (.streamlit/roles.toml or "
                                f"{access_roles.ROLES_ENV}) to find the user in")
        return access_scope.LOCAL_MANAGER, None
    if not args.as_user:
        raise ArgumentError(f"a roles file is configured ({roles.path}): pass --as-user EMAIL to export within "
                            "that user's scope")
    scope = roles.scope_for(args.as_user)
    if scope.denied:
        raise ArgumentError(f"argument --as-user: {scope.reason}")
    return scope, roles


def list_datasets() -> int:
    from .metrics.catalogue import DATASETS
    for name, dataset in sorted(DATASETS.items()):
        print(f"{name}\t{dataset.description}")
    return 0


def _dataset(args):
    """The dataset asked for, with the subject it needs (one brand: --brand; one provider: --provider)."""
    from .metrics.catalogue import DATASETS
    if args.report is None:
        raise ArgumentError("the following arguments are required: report (a dataset; --list names them)")
    dataset = DATASETS[args.report]
    for subject in ("brand", "provider"):
        if dataset.subject == subject and getattr(args, subject) is None:
            raise ArgumentError(f"argument --{subject}: {dataset.name} is about one {subject}: pass --{subject} ID")
    if args.provider is not None and dataset.subject != "provider":  # --brand narrows any dataset to one brand
        raise ArgumentError(f"argument --provider: {dataset.name} is not about one provider")
    return dataset


def _xlsx(wh: Warehouse, dataset, f: Filters, scope: access_scope.Scope, frame, args) -> bytes:
    """The dataset as the workbook a page's "Download Excel" gives the same user for the same filters."""
    from .export import xlsx
    resolved = f.resolved(wh.as_of())
    names = words.belt_names(reference.belts(wh, resolved), args.lang)
    subject = (f"provider {args.provider}" if args.provider is not None
               else f"brand {args.brand}" if args.brand is not None else None)
    about = xlsx.About(dataset=dataset.name, description=dataset.description, filters=resolved, user=scope.user,
                       scope=words.scope_words(scope.kind, scope.belts, scope.provider_id, names, args.lang),
                       belt_names=names, subject=subject,
                       command=export_command(dataset.name, _filters(args), args.provider, args.as_user,
                                              where_of(args.where)))
    return xlsx.xlsx_bytes(frame, about, args.lang)


def export(args) -> int:
    if args.list:
        return list_datasets()
    dataset = _dataset(args)
    started = time.perf_counter()
    f = _filters(args)
    scope, roles = _scope(args)
    f = scope.apply(f)
    wh = Warehouse(args.url)
    _check_known(wh, f)
    check_range(f.resolved(wh.as_of()), reference.data_span(wh))  # what a page would clamp is refused
    if dataset.ruled:  # say which thresholds the export used (a bad rules file: exit 2)
        used = rules.load_rules()
        print(used.describe(), file=sys.stderr)
        frame = dataset.compute(wh, f, used)
    else:
        frame = dataset.run(wh, f, args.provider)
    try:
        frame = narrowed(frame, where_of(args.where))
    except KeyError as exc:
        raise ArgumentError(f"argument --where: {dataset.name} has no column {exc.args[0]!r}") from None
    data = csv_bytes(frame) if args.format == "csv" else _xlsx(wh, dataset, f, scope, frame, args)
    log_path = audit.audit_path(roles.audit_log if roles else None)
    problem = audit.check(log_path) if roles else None
    if problem:  # access control: an export nobody can trace does not happen
        raise audit.AuditError(f"{problem}; nothing was exported")
    if args.out:
        try:
            with open(args.out, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise ArgumentError(f"argument --out: cannot write {args.out!r}: {exc.strerror}") from None
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    target = args.report if args.provider is None else f"{args.report} provider={args.provider}"
    audit.record("export", user=scope.user, scope=scope.describe(), target=target,
                 filters=audit.filters_dict(f), rows=len(frame), duration_ms=(time.perf_counter() - started) * 1000,
                 out=args.out or "-", path=log_path, required=roles is not None)
    return 0


def _record_failed_export(argv, args, status: str, message: str) -> None:
    """An export or digest that was refused or failed is an audit line too (who asked, for what, and why not)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = args.command if args is not None else (argv[:1] or [None])[0]
    if command not in ("export", "digest"):
        return
    try:
        roles = access_roles.load_roles()
    except access_roles.RolesError:
        roles = None
    user = getattr(args, "as_user", None) or ("-" if roles else access_scope.LOCAL_USER)
    target = getattr(args, "report", None) if command == "export" else ("--all" if getattr(args, "all", False)
                                                                         else "digest")
    audit.record(command, user=user, scope="-", target=target or "-",
                 filters={"argv": argv}, rows=0, duration_ms=0, status=status, reason=message,
                 path=audit.audit_path(roles.audit_log if roles else None))


def demo(args) -> int:
    from .config import DEFAULT_DUCKDB_PATH, configured_url
    from .demo.build import build
    if args.if_missing and not args.url:
        if configured_url():
            print("demo: a warehouse is configured; not building the demo")
            return 0
        if DEFAULT_DUCKDB_PATH.exists():
            print(f"demo: {DEFAULT_DUCKDB_PATH} exists; not rebuilding it")
            return 0
    build(args.url, orders=args.orders, seed=args.seed)
    return 0


def load_warehouse(args) -> int:
    from pathlib import Path

    from .warehouse.build.transfer import copy
    if not Path(args.source).exists():
        raise ArgumentError(f"argument --from: no such file or folder: {args.source}")
    copy(args.source, args.url)
    return 0


def build_marts(args) -> int:
    from .warehouse.marts.refresh import refresh
    refresh(args.url, full=args.full, owned=args.owned, schema=args.schema)
    return 0


def main(argv=None) -> int:
    args = None
    try:
        args = parser().parse_args(argv)
        return {"export": export, "digest": digest, "demo": demo, "build-marts": build_marts, "check": check,
                "load": load_warehouse}[args.command](args)
    except (ArgumentError, rules.RulesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        _record_failed_export(argv, args, "refused", str(exc))
        return 2
    except FilterError as exc:  # also a range that only the warehouse's as-of date makes bad (--from after it)
        print(f"error: argument --{exc.argument.replace('_', '-')}: {exc.message}", file=sys.stderr)
        return 2
    except (WarehouseError, writing.BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        _record_failed_export(argv, args, f"error:{type(exc).__name__}", str(exc))
        return 1
    except audit.AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
