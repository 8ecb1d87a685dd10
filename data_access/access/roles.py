"""Who may see what: the roles file, a user's scope, and the one way a scope enters the Filters.

The roles file (`.streamlit/roles.toml`, or the path in BELTBOARD_ROLES; example:
docs/roles.example.toml) names roles and the users (login emails, or values of the trusted
header) who hold them:

    [identity]
    header = "X-Forwarded-Email"       # optional: identity from an authenticating proxy

    [roles.managers]
    kind = "manager"                   # every belt
    users = ["lead@example.com"]

    [roles.shandong]
    kind = "operator"                  # only these belts ("none": brands without a belt)
    belts = ["linyi-apparel", "none"]
    users = ["ops.sd@example.com"]

    [roles.acme]
    kind = "provider"                  # its clients, its own figures, its peers only as median / P90
    provider_id = 104
    users = ["partner@acme.example"]

Who gets a digest (`python -m data_access digest`) is said here too: `[roles.<name>.digest]` and
`[digest."user"]` (data_access.access.recipients parses them; `Roles.deliveries`).

A `Scope` is what a user may see. `Scope.apply(filters)` writes it into a Filters, overriding
whatever was there; `filters.brand_conditions` then puts it into the WHERE clause of every
query, and a Filters in a cache key carries it. A user the file does not name, and a role
with no belts, get a scope that sees nothing (`denied`).

Users are compared as `user_key` makes them: NFKC, then casefold, after refusing any character
outside the e-mail set (`USER_CHARACTERS`), so that look-alikes such as the Kelvin sign (U+212A,
which NFKC turns into `K`) never match a real address. A value that is refused identifies nobody.

Once a process has seen access control configured (a roles file, or `[auth]` in secrets.toml:
`note_access_control`), it never falls back to local mode: a roles file that then goes missing
is an error (`RolesError`), so nobody sees data until a valid file is back. Only a process that
has seen no access control at all runs as the local manager, and says so once in its log
(`announce_local_mode`). A server started with `serve.py` settles this at start.

No Streamlit here: the export command (`--as-user`) and the dashboard (ui/identity.py) share it.
"""
from __future__ import annotations

import logging
import os
import string
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import PROJECT_ROOT, TomlFile
from . import recipients
from .recipients import Delivery
from .scope import KINDS, Scope, nobody

ROLES_ENV = "BELTBOARD_ROLES"
DEFAULT_ROLES_PATH = PROJECT_ROOT / ".streamlit" / "roles.toml"
# What a user (a login e-mail, or a trusted header's value) may be made of: RFC 5322 atext but the backtick
# (so the pages can show a user in a Markdown code span), dots and "@".
USER_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+/=?^_{|}~.@-")
MAX_USER_CHARS = 254

log = logging.getLogger("beltboard.access")


class RolesError(ValueError):
    """The roles file cannot be used; str() names the file and what is wrong."""


@dataclass(frozen=True)
class Roles:
    """A parsed roles file."""
    path: Path
    header: str | None                                    # the trusted header's name, if any
    audit_log: str | None                                 # [audit] path, if any
    users: Mapping[str, Scope] = field(default_factory=dict)   # normalised user -> scope
    deliveries: tuple[Delivery, ...] = ()                 # who gets a digest (data_access.access.recipients)

    def scope_for(self, user: str | None) -> Scope:
        """The scope of a login email / header value; a user the file does not name sees nothing."""
        if not (user or "").strip():
            return nobody("", "no user identity was given")
        key = user_key(user)
        if key is None:
            return nobody("", "the identity given is not a valid e-mail address")
        scope = self.users.get(key)
        if scope is None:
            return nobody(key, f"{key} is not in the roles file")
        if scope.denied:
            return replace(scope, reason=f"the role {scope.role!r} of {key} has no belts")
        return scope

    def deliveries_for(self, scope: Scope) -> tuple[Delivery, ...]:
        """The digests that concern this user: their own, and their role's (built in their scope)."""
        return recipients.deliveries_for(self.deliveries, scope)


def user_key(user: str | None) -> str | None:
    """A user as compared: surrounding spaces dropped, NFKC, casefold. None when empty or when it holds a
    character outside USER_CHARACTERS (checked before normalising: U+212A must not become `k`)."""
    text = (user or "").strip()
    if not text or len(text) > MAX_USER_CHARS or not set(text) <= USER_CHARACTERS:
        return None
    return unicodedata.normalize("NFKC", text).casefold()


# ---------------------------------------------------------------- configured once, configured for good

_seen_lock = threading.Lock()
_seen: str | None = None        # what first configured access control in this process
_local_announced = False


def note_access_control(what: str) -> None:
    """This process has access control (`what` configured it): from now on it never runs in local mode."""
    global _seen
    with _seen_lock:
        if _seen is not None:
            return
        _seen = what
    log.info("access control is on (%s): a missing or broken roles file now means nobody sees data", what)


def access_control_seen() -> str | None:
    """What configured access control in this process, or None while it has seen none."""
    return _seen


def announce_local_mode() -> None:
    """Say once, in the log, that this process runs without access control."""
    global _local_announced
    with _seen_lock:
        if _local_announced or _seen is not None:
            return
        _local_announced = True
    log.warning("no access control is configured (no roles file at %s, no %s, no [auth] in secrets.toml): "
                "local mode, every visitor sees every belt as a manager", DEFAULT_ROLES_PATH, ROLES_ENV)


def forget_access_control() -> None:
    """Back to a fresh process's state (for tests, which run many configurations in one process)."""
    global _seen, _local_announced
    with _seen_lock:
        _seen, _local_announced = None, False


def roles_path() -> Path | None:
    """The roles file in use: BELTBOARD_ROLES (which must exist), else .streamlit/roles.toml when present."""
    configured = os.environ.get(ROLES_ENV, "").strip()
    if configured:
        path = Path(configured)
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        note_access_control(f"{ROLES_ENV}={path}")
        if not path.is_file():
            raise RolesError(f"{ROLES_ENV} names {path}, which is not a file")
        return path
    if DEFAULT_ROLES_PATH.exists():  # a directory or an unreadable file there still means access control
        note_access_control(f"the roles file {DEFAULT_ROLES_PATH}")
        return DEFAULT_ROLES_PATH
    if _seen is not None:
        raise RolesError(f"the roles file {DEFAULT_ROLES_PATH} is missing, but this server has had access control "
                         f"since {_seen}; nobody sees data until a valid roles file is back")
    return None


_ROLES_FILE = TomlFile("roles file", RolesError, lambda raw, path: parse_roles(raw, path))


def load_roles(path: Path | None = None) -> Roles | None:
    """The roles file parsed (re-read when it changes); None when there is none (no access control)."""
    path = path or roles_path()
    return None if path is None else _ROLES_FILE.load(path)


def parse_roles(raw: Mapping, path: Path) -> Roles:
    def bad(message: str) -> RolesError:
        return RolesError(f"the roles file {path}: {message}")

    header = _identity_header(raw, bad)
    audit_log = _audit_path(raw, bad)
    roles = raw.get("roles")
    if not isinstance(roles, Mapping) or not roles:
        raise bad("it names no [roles.<name>] tables")
    users: dict[str, Scope] = {}
    role_scopes: dict[str, Scope] = {}
    for name, spec in roles.items():
        kind, belts, provider_id = _role_scope(name, spec, bad)
        role_scopes[str(name)] = Scope(user=f"role:{name}", kind=kind, role=str(name), belts=belts,
                                       provider_id=provider_id)
        for member in _role_members(name, spec, bad):
            if not member.strip():
                continue
            key = _member_key(name, member, bad)
            if key in users:
                raise bad(f"{key} is in two roles ({users[key].role!r} and {name!r}); give each user one role")
            users[key] = Scope(user=key, kind=kind, role=str(name), belts=belts, provider_id=provider_id)
    deliveries = recipients.parse_deliveries(raw, roles, role_scopes, users, user_key, bad)
    return Roles(path=path, header=header, audit_log=audit_log, users=users, deliveries=deliveries)


# parse_roles' parts: each checks one piece of the file, raising `bad(message)` (the file's path prefixed).
_Bad = Callable[[str], RolesError]


def _identity_header(raw: Mapping, bad: _Bad) -> str | None:
    """[identity] header: the trusted header naming the user, stripped; None when not set."""
    identity = raw.get("identity", {})
    if not isinstance(identity, Mapping):
        raise bad("[identity] must be a table")
    header = identity.get("header")
    if header is not None and (not isinstance(header, str) or not header.strip()):
        raise bad("identity.header must be a header name")
    return header.strip() if header else None


def _audit_path(raw: Mapping, bad: _Bad) -> str | None:
    """[audit] path, as written; None when not set (or [audit] is not a table)."""
    audit = raw.get("audit", {})
    audit_log = audit.get("path") if isinstance(audit, Mapping) else None
    if audit_log is not None and not isinstance(audit_log, str):
        raise bad("audit.path must be a string")
    return audit_log


def _role_scope(name, spec, bad: _Bad) -> tuple[str, tuple[str, ...] | None, int | None]:
    """(kind, belts, provider_id) of [roles.<name>]: belts for an operator, provider_id for a provider."""
    if not isinstance(spec, Mapping):
        raise bad(f"roles.{name} must be a table")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise bad(f"roles.{name}.kind must be one of {', '.join(KINDS)}, not {kind!r}")
    belts = provider_id = None
    if kind == "operator":
        belts = _operator_belts(name, spec, bad)
    elif kind == "provider":
        provider_id = _provider_id(name, spec, bad)
    return kind, belts, provider_id


def _operator_belts(name, spec: Mapping, bad: _Bad) -> tuple[str, ...]:
    belts = spec.get("belts")
    if not isinstance(belts, list) or not all(isinstance(b, str) and b.strip() for b in belts):
        raise bad(f"roles.{name}.belts must be a list of belt ids (\"none\": brands without a belt)")
    return tuple(b.strip() for b in belts)


def _provider_id(name, spec: Mapping, bad: _Bad) -> int:
    provider_id = spec.get("provider_id")
    if not isinstance(provider_id, int) or isinstance(provider_id, bool):
        raise bad(f"roles.{name}.provider_id must be a whole number")
    return provider_id


def _role_members(name, spec: Mapping, bad: _Bad) -> list[str]:
    """roles.<name>.users as written (blank entries included: the caller skips them)."""
    members = spec.get("users", [])
    if not isinstance(members, list) or not all(isinstance(u, str) for u in members):
        raise bad(f"roles.{name}.users must be a list of login emails / header values")
    return members


def _member_key(name, member: str, bad: _Bad) -> str:
    """user_key(member), or an error naming the characters a user may be made of."""
    key = user_key(member)
    if key is None:
        raise bad(f"roles.{name}.users: {member!r} is not an e-mail address (letters, digits and "
                  f"{''.join(sorted(USER_CHARACTERS - set(string.ascii_letters + string.digits)))} only)")
    return key
