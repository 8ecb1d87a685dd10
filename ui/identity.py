"""Who is looking at this run, and what they may see (a data_access.access.scope.Scope).

Where the identity comes from:
1. No roles file (.streamlit/roles.toml or BELTBOARD_ROLES) and no `[auth]` in secrets.toml:
   a local manager, who sees every belt; the sidebar says so.
2. The roles file names a trusted header (`[identity] header = "X-Forwarded-Email"`): its value,
   from `st.context.headers`, as set by an authenticating reverse proxy. The app's port must be
   reachable only through that proxy (README, "Deploying for a team").
3. Otherwise Streamlit's built-in OIDC login (`[auth]` in secrets.toml): `st.user.email` once
   signed in with `st.login()`.
Anything else fails closed, with no data and a message saying what is wrong: a roles file with
neither a header nor `[auth]`, `[auth]` without a roles file, a roles file that went missing or
broke while the server runs (data_access.access.roles: once configured, never local again), a missing
header, a header sent twice or with a comma-joined value (one request, one identity), an identity
with characters outside the e-mail set, a user the roles file does not name, a role without belts.

`current()` is computed afresh for every call (the roles file is re-read only when it changes),
so ui/data.py takes the scope from here on every data call rather than from anything a page holds.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_access.access import roles as access_roles, scope as access_scope
from data_access.access.roles import Roles, RolesError
from data_access.access.scope import Scope
from data_access.words import messages as words

from .i18n import N_, t
from .text import plain


@dataclass(frozen=True)
class Identity:
    source: str                  # local | header | oidc | misconfigured
    scope: Scope
    problem: str = ""            # why this run shows no data (in the reader's words); "" when it may
    needs_login: bool = False    # OIDC is configured and nobody is signed in yet
    audit_log: str | None = None  # the roles file's [audit] path

    @property
    def user(self) -> str:
        return self.scope.user

    @property
    def allowed(self) -> bool:
        return not self.problem and not self.needs_login and not self.scope.denied


def _auth_configured() -> bool:
    """Whether secrets.toml has an `[auth]` section (Streamlit's OIDC login)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - an unreadable secrets file: Streamlit reports it itself
        return False


def _header_values(name: str) -> list[str]:
    """Every value of the header on this session's request (a proxy that appends rather than overwrites
    sends two), blank ones left out."""
    try:
        values = st.context.headers.get_all(name)
    except Exception:  # noqa: BLE001 - no browser session
        values = []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _cannot_identify(source: str, why: str, audit_log: str | None, lang: str) -> Identity:
    return _denied(source, t("The dashboard cannot identify you: {why}. Open it through the company sign-in "
                             "proxy; if this persists, tell the administrator.", lang, why=t(why, lang)),
                   audit_log=audit_log)


def _oidc_email() -> tuple[bool, str | None]:
    """(signed in, email) from st.user."""
    try:
        user = st.user
        signed_in = bool(user.get("is_logged_in"))
        email = user.get("email")
    except Exception:  # noqa: BLE001
        return False, None
    return signed_in, (str(email) if email else None)


def _denied(source: str, problem: str, user: str = "", audit_log: str | None = None) -> Identity:
    return Identity(source=source, scope=access_scope.nobody(user, problem), problem=problem, audit_log=audit_log)


def current(lang: str) -> Identity:
    """The identity of this run (see the module's docstring)."""
    auth = _auth_configured()
    if auth:
        access_roles.note_access_control("[auth] in secrets.toml")
    try:
        roles: Roles | None = access_roles.load_roles()
    except RolesError as exc:
        return _denied("misconfigured", t("The access configuration cannot be used: {error}", lang,
                                          error=_plain(str(exc))))
    if roles is None:
        access_roles.announce_local_mode()
        return Identity(source="local", scope=access_scope.LOCAL_MANAGER)
    if roles.header:
        values = _header_values(roles.header)
        if not values:
            return _denied("header", t("No identity reached the dashboard: open it through the company sign-in "
                                       "proxy.", lang), audit_log=roles.audit_log)
        if len(values) > 1 or "," in values[0]:
            return _cannot_identify("header", N_("the request carried more than one identity"), roles.audit_log,
                                    lang)
        return _identified("header", roles, values[0], lang)
    if not auth:
        return _denied("misconfigured", t("A roles file is configured but no way to sign in: set [identity] header "
                                          "in the roles file, or [auth] in secrets.toml.", lang),
                       audit_log=roles.audit_log)
    signed_in, email = _oidc_email()
    if not signed_in:
        return Identity(source="oidc", scope=access_scope.nobody("", "not signed in"), needs_login=True,
                        audit_log=roles.audit_log)
    return _identified("oidc", roles, email, lang)


def _identified(source: str, roles: Roles, user: str | None, lang: str) -> Identity:
    if access_roles.user_key(user) is None:
        return _cannot_identify(source, N_("the identity is not an e-mail address"), roles.audit_log, lang)
    scope = roles.scope_for(user)
    if scope.kind == "none":
        return Identity(source=source, scope=scope, audit_log=roles.audit_log, problem=t(
            "{user} has no access to this dashboard. Ask a manager to add you to the roles file.", lang,
            user=_user(access_roles.user_key(user))))
    if scope.denied:
        return Identity(source=source, scope=scope, audit_log=roles.audit_log, problem=t(
            "Your role ({role}) has no industry belts assigned, so there is nothing to show. Ask a manager to "
            "assign belts to it.", lang, role=_plain(scope.role)))
    return Identity(source=source, scope=scope, audit_log=roles.audit_log)


def at_server_start() -> None:
    """Settle, as a server starts (serve.py), whether it has access control, and say which in its log: a
    roles file (or BELTBOARD_ROLES) or [auth] in secrets.toml means it has, for as long as it runs."""
    if _auth_configured():
        access_roles.note_access_control("[auth] in secrets.toml")
    try:
        roles = access_roles.load_roles()
    except RolesError as exc:
        access_roles.log.error("%s", exc)  # the pages say so too, and show nothing
        return
    if roles is None:
        access_roles.announce_local_mode()


def scope(lang: str) -> Scope:
    """The scope every data call applies: this run's identity's; AccessDenied (its message in `lang`) when it
    may see nothing."""
    ident = current(lang)
    if not ident.allowed:
        raise access_scope.AccessDenied(ident.problem or "not signed in")
    return ident.scope


# ---------------------------------------------------------------- what the frame shows

def render_blocked(ident: Identity, lang: str) -> None:
    """The whole page for a run that may see nothing: a sign-in button, or why not. No filters, no data."""
    st.title(t("beltboard · brand dashboard", lang))
    if ident.needs_login:
        st.info(t("Sign in to see the dashboard.", lang), icon=":material/login:")
        st.button(t("Sign in", lang), on_click=st.login, icon=":material/login:", key="sign_in", type="primary")
        return
    st.error(ident.problem, icon=":material/lock:")
    if ident.source == "oidc":
        st.button(t("Sign out", lang), on_click=st.logout, icon=":material/logout:", key="sign_out")


def _plain(text) -> str:
    return plain(text)


def _user(user: str) -> str:
    """A user (access_roles.user_key: e-mail characters, no backtick) as Markdown: a code span, so it reads as
    typed and never becomes a mailto link."""
    return f"`{user}`"


def render_sidebar(ident: Identity, lang: str) -> None:
    """Who is signed in and what they see, at the top of the sidebar."""
    sb = st.sidebar
    s = ident.scope
    if ident.source == "local":
        sb.caption(t("Local mode: no sign-in is configured, so you see every belt as a manager.", lang))
        return
    if s.kind == "manager":
        what = t("manager · every belt", lang)
    elif s.kind == "operator":
        what = t("operator · {n} belts", lang, n=len(s.belts or ()))
    else:
        what = t("provider #{id} · its brands", lang, id=s.provider_id)
    sb.caption(t("Signed in as {user} ({what})", lang, user=_user(s.user), what=what))
    if ident.source == "oidc":
        sb.button(t("Sign out", lang), on_click=st.logout, icon=":material/logout:", key="sign_out")


def scope_caption(ident: Identity, belt_names, lang: str) -> str | None:
    """The words under a page's title saying the figures are this user's scope's (Markdown, names escaped),
    or None for a manager."""
    s = ident.scope
    if s.kind not in ("operator", "provider"):
        return None
    return words.scope_words(s.kind, s.belts, s.provider_id, belt_names, lang, escape=_plain)
