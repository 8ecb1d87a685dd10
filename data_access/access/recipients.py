"""Who gets a digest, from the roles file (data_access.access.roles parses the file and calls `parse_deliveries`).

A role's digest, built in the role's scope and sent once per run to the role's addresses and chats:

    [roles.shandong.digest]
    email = ["shandong-team@example.com"]     # e-mail addresses
    webhooks = ["shandong-wecom"]             # named group-chat robots (their URLs are secrets: delivery.py)
    lang = "zh"                               # optional (default zh; `digest --lang` overrides)

A user's own digest, in their scope:

    [digest."boss@example.com"]
    email = ["boss@example.com"]
    lang = "en"

Every [digest."…"] names a user of some role (else the file is refused: a digest for a user without a role
would have no scope). Addresses and robot names are checked here; the robots' URLs and the SMTP server are
looked up when sending, so this file holds no secret.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..words.messages import LANGS

if TYPE_CHECKING:
    from .scope import Scope

WEBHOOK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
ADDRESS_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~.@-")
KEYS = ("email", "webhooks", "lang")


@dataclass(frozen=True)
class Delivery:
    """One digest to build and where it goes."""
    name: str                       # "role shandong" or the user: how messages and the audit log name it
    scope: Scope                    # whose data (the role's, or the user's)
    email: tuple[str, ...] = ()
    webhooks: tuple[str, ...] = ()
    lang: str | None = None
    role: str = ""                  # the role it belongs to (a user's: their role)
    user: str | None = None         # the user's own delivery; None for a role's

    @property
    def recipients(self) -> tuple[str, ...]:
        """"email:a@x.com", "webhook:shandong-wecom": each one sent to, and named, on its own."""
        return tuple(f"email:{a}" for a in self.email) + tuple(f"webhook:{w}" for w in self.webhooks)


def address_problem(address: str) -> str | None:
    """Why `address` is not an e-mail address to send to (one `@`, a dot in the domain, no spaces or
    look-alikes), or None."""
    text = address.strip()
    if not text or len(text) > 254 or not set(text) <= ADDRESS_CHARACTERS or unicodedata.normalize("NFKC", text) \
            != text:
        return "not an e-mail address"
    local, at, domain = text.rpartition("@")
    if not at or not local or "@" in local or "." not in domain.strip("."):
        return "not an e-mail address"
    return None


def parse_deliveries(raw: Mapping, roles: Mapping, role_scopes: Mapping[str, Scope], users: Mapping[str, Scope],
                     user_key: Callable[[str], str | None], bad) -> tuple[Delivery, ...]:
    """The deliveries of a roles file: each role's `digest` table, then each `[digest."user"]`."""
    out = []
    for name, spec in roles.items():
        if isinstance(spec, Mapping) and "digest" in spec:
            scope = role_scopes[str(name)]
            out.append(Delivery(name=f"role {name}", scope=scope, role=str(name),
                                **_targets(f"roles.{name}.digest", spec["digest"], bad)))
    own = raw.get("digest", {})
    if not isinstance(own, Mapping):
        raise bad('[digest] must be a table of users: [digest."user@example.com"]')
    for member, spec in own.items():
        key = user_key(member)
        if key is None or key not in users:
            raise bad(f'digest."{member}": not a user of any role (a digest is built in its user\'s scope)')
        scope = users[key]
        out.append(Delivery(name=key, scope=scope, role=scope.role, user=key,
                            **_targets(f'digest."{member}"', spec, bad)))
    return tuple(out)


def _targets(where: str, spec, bad) -> dict:
    if not isinstance(spec, Mapping):
        raise bad(f"{where} must be a table (email, webhooks, lang)")
    unknown = [k for k in spec if k not in KEYS]
    if unknown:
        raise bad(f"{where}: unknown key {unknown[0]!r}; expected {', '.join(KEYS)}")
    email, webhooks = _list(where, spec, "email", bad), _list(where, spec, "webhooks", bad)
    for address in email:
        problem = address_problem(address)
        if problem:
            raise bad(f"{where}.email: {address!r} is {problem}")
    for hook in webhooks:
        if not WEBHOOK_NAME.fullmatch(hook):
            raise bad(f"{where}.webhooks: {hook!r} is not a webhook name (letters, digits, - and _)")
    if not email and not webhooks:
        raise bad(f"{where}: names no e-mail address and no webhook")
    lang = spec.get("lang")
    if lang is not None and lang not in LANGS:
        raise bad(f"{where}.lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return {"email": tuple(dict.fromkeys(a.strip() for a in email)), "webhooks": tuple(dict.fromkeys(webhooks)),
            "lang": lang}


def _list(where: str, spec: Mapping, key: str, bad) -> list[str]:
    values = spec.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise bad(f"{where}.{key} must be a list of strings")
    return values


def deliveries_for(deliveries: tuple[Delivery, ...], user_scope: Scope) -> tuple[Delivery, ...]:
    """What concerns one user: their own delivery and their role's, both built in their scope (a role's scope
    is its users')."""
    mine = [d for d in deliveries if d.user == user_scope.user or (d.user is None and d.role == user_scope.role)]
    return tuple(replace(d, scope=user_scope) if d.user is None else d for d in mine)
