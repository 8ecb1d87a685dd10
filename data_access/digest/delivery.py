"""Sending a digest: e-mail over SMTP (smtplib, email) and group-chat robots over HTTP (httpx).

Where they go is in the roles file (data_access.access.recipients); how to reach them are secrets, read from the
environment first, then `.streamlit/secrets.toml`, and never printed or logged:

    [digest.smtp]                         # or BELTBOARD_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, _SENDER
    host = "smtp.example.com"
    port = 587
    security = "starttls"                 # starttls (default) | ssl | none
    user = "beltboard@example.com"
    password = "…"
    sender = "beltboard <beltboard@example.com>"

    [digest.webhooks.shandong-wecom]      # or BELTBOARD_WEBHOOK_SHANDONG_WECOM_URL, _KIND, _SECRET
    kind = "wecom"                        # generic | wecom | dingtalk | feishu (default: from the URL's host)
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
    secret = "…"                          # DingTalk / Feishu: sign each message

Robots: `generic` POSTs JSON {title, markdown, html, user, as_of}; WeCom (企业微信) and DingTalk (钉钉) get
their `markdown` message, Feishu (飞书) an interactive card with a markdown element; DingTalk is signed in
its URL (timestamp, sign = HMAC-SHA256 of "timestamp\\nsecret"), Feishu in its body (timestamp, sign = HMAC-
SHA256 keyed by "timestamp\\nsecret" over nothing). Each robot's message is kept within its size limit
(data_access.digest.render.markdown).

A send that fails for a reason that may pass (the server cannot be reached, times out, answers 5xx or 429,
an SMTP 4xx) is tried again, at most `attempts` times in all (BELTBOARD_DIGEST_ATTEMPTS or `attempts` under
[digest]; default 3), waiting `retry_wait` seconds (BELTBOARD_DIGEST_RETRY_WAIT; default 2), doubled each
time. Its reason names the recipient and what went wrong, never a URL, host, user or password.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qsl, urlsplit

import httpx

from ..config import secrets_section
from . import render as digest_render
from .compose import Digest

KINDS = ("generic", "wecom", "dingtalk", "feishu")
SECURITIES = ("starttls", "ssl", "none")
HOST_KINDS = {"qyapi.weixin.qq.com": "wecom", "oapi.dingtalk.com": "dingtalk", "open.feishu.cn": "feishu",
              "open.larksuite.com": "feishu"}
MAX_BYTES = {"wecom": 4000, "dingtalk": 18000, "feishu": 28000, "generic": None}  # a robot's message limit
DEFAULT_ATTEMPTS, DEFAULT_RETRY_WAIT_S, DEFAULT_TIMEOUT_S = 3, 2.0, 10.0

# httpx logs every request with its URL at INFO: a robot's URL is its key, so nothing of it is logged.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class DeliveryError(Exception):
    """A send failed; str() names what went wrong (no secret). `transient`: worth trying again."""

    def __init__(self, reason: str, transient: bool):
        super().__init__(reason)
        self.transient = transient


class SettingsError(ValueError):
    """The delivery settings cannot be used; str() says which (never its value)."""


# ---------------------------------------------------------------- settings (secrets)

def _setting(env: str, section: dict, key: str):
    value = os.environ.get(env, "").strip()
    return value if value else section.get(key)


def _section(*path: str) -> dict:
    section = secrets_section("digest")
    for key in path:
        section = section.get(key, {}) if isinstance(section, dict) else {}
    return section if isinstance(section, dict) else {}


def _number(env: str, key: str, default: float, whole: bool, minimum: float) -> float:
    raw = _setting(env, _section(), key)
    if raw in (None, ""):
        return default
    try:
        value = int(raw) if whole else float(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{env} / [digest] {key} must be a number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{env} / [digest] {key} must be at least {minimum:g}, not {raw!r}")
    return value


@dataclass(frozen=True)
class Retries:
    attempts: int = DEFAULT_ATTEMPTS
    wait_s: float = DEFAULT_RETRY_WAIT_S
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def configured(cls) -> Retries:
        return cls(attempts=int(_number("BELTBOARD_DIGEST_ATTEMPTS", "attempts", DEFAULT_ATTEMPTS, True, 1)),
                   wait_s=_number("BELTBOARD_DIGEST_RETRY_WAIT", "retry_wait", DEFAULT_RETRY_WAIT_S, False, 0),
                   timeout_s=_number("BELTBOARD_DIGEST_TIMEOUT", "timeout", DEFAULT_TIMEOUT_S, False, 0.1))


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(v for v in (self.host, self.user, self.password) if v)


def smtp_settings() -> Smtp | None:
    """The SMTP server, or None when none is configured."""
    section = _section("smtp")
    host = str(_setting("BELTBOARD_SMTP_HOST", section, "host") or "").strip()
    if not host:
        return None
    security = str(_setting("BELTBOARD_SMTP_SECURITY", section, "security") or "starttls").strip().lower()
    if security not in SECURITIES:
        raise SettingsError(f"BELTBOARD_SMTP_SECURITY / [digest.smtp] security must be one of "
                            f"{', '.join(SECURITIES)}")
    raw_port = _setting("BELTBOARD_SMTP_PORT", section, "port") or {"ssl": 465, "starttls": 587, "none": 25}[security]
    try:
        port = int(raw_port)
    except (TypeError, ValueError):
        raise SettingsError("BELTBOARD_SMTP_PORT / [digest.smtp] port must be a whole number") from None
    user = _setting("BELTBOARD_SMTP_USER", section, "user")
    sender = str(_setting("BELTBOARD_SMTP_SENDER", section, "sender") or user or "").strip()
    if not sender:
        raise SettingsError("BELTBOARD_SMTP_SENDER / [digest.smtp] sender is not set (the From address)")
    return Smtp(host=host, port=port, security=security, user=str(user) if user else None,
                password=_setting("BELTBOARD_SMTP_PASSWORD", section, "password"), sender=sender)


@dataclass(frozen=True)
class Webhook:
    name: str
    kind: str
    url: str
    secret: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The URL, its query values and its longer path parts (a robot's key may be any of them), the secret."""
        parts = urlsplit(self.url)
        keys = [v for _, v in parse_qsl(parts.query)] + [p for p in parts.path.split("/") if len(p) >= 8]
        return tuple(v for v in (self.url, *keys, self.secret) if v)


def env_name(name: str) -> str:
    return "BELTBOARD_WEBHOOK_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def webhook(name: str) -> Webhook:
    """The named robot's settings; SettingsError when it has no URL or a bad kind."""
    section, prefix = _section("webhooks", name), env_name(name)
    url = str(_setting(f"{prefix}_URL", section, "url") or "").strip()
    if not url:
        raise SettingsError(f"the webhook {name!r} has no URL ({prefix}_URL, or url under [digest.webhooks.{name}] "
                            "in .streamlit/secrets.toml)")
    if urlsplit(url).scheme not in ("http", "https"):
        raise SettingsError(f"the webhook {name!r} has a URL that is not http(s)")
    kind = str(_setting(f"{prefix}_KIND", section, "kind") or HOST_KINDS.get(urlsplit(url).hostname or "", "generic"))
    if kind not in KINDS:
        raise SettingsError(f"the webhook {name!r}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    secret = _setting(f"{prefix}_SECRET", section, "secret")
    return Webhook(name=name, kind=kind, url=url, secret=str(secret) if secret else None)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret (longest first) replaced by ***."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


# ---------------------------------------------------------------- e-mail

def email_message(d: Digest, sender: str, to: str) -> EmailMessage:
    """The digest as an e-mail: Markdown as the plain text, HTML as its alternative, the queue as a CSV file."""
    message = EmailMessage()
    message["Subject"] = d.title
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="beltboard")
    message.set_content(digest_render.markdown(d), charset="utf-8")
    message.add_alternative(digest_render.html_page(d), subtype="html", charset="utf-8")
    message.add_attachment(d.queue_csv, maintype="text", subtype="csv", filename=d.queue_file)
    return message


def send_email(d: Digest, to: str, smtp: Smtp, timeout_s: float) -> None:
    """One e-mail to one address; DeliveryError (transient or not) when it does not go."""
    message = email_message(d, smtp.sender, to)
    try:
        if smtp.security == "ssl":
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout_s, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout_s)
        with server:
            if smtp.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if smtp.user and smtp.password:
                server.login(smtp.user, smtp.password)
            refused = server.send_message(message, to_addrs=[to])
    except smtplib.SMTPRecipientsRefused as exc:
        code, answer = next(iter(exc.recipients.values()), (0, b""))
        raise DeliveryError(f"the SMTP server refused the address ({code} {_text(answer)})", code < 500) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"the SMTP server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                            400 <= exc.smtp_code < 500) from None
    except smtplib.SMTPNotSupportedError as exc:  # e.g. no STARTTLS: trying again will not help
        raise DeliveryError(f"the SMTP server does not support what is configured ({exc})", False) from None
    except (smtplib.SMTPException, OSError) as exc:
        what = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DeliveryError(f"cannot reach the SMTP server ({what})", True) from None
    if refused:
        raise DeliveryError("the SMTP server refused the address", False)


def _text(answer) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    return " ".join(text.split())[:200]


# ---------------------------------------------------------------- robots

def _sign(secret: str, payload: str, key_is_payload: bool) -> str:
    """Base64 HMAC-SHA256: DingTalk signs `payload` with the secret, Feishu signs nothing with `payload` as key."""
    key, message = (payload, b"") if key_is_payload else (secret, payload.encode("utf-8"))
    key = key.encode("utf-8") if isinstance(key, str) else key
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def robot_request(d: Digest, hook: Webhook, now: Callable[[], float] = time.time) -> tuple[str, dict, dict]:
    """(URL, query parameters, JSON body) of the message for this robot."""
    limit = MAX_BYTES[hook.kind]
    if hook.kind == "wecom":
        return hook.url, {}, {"msgtype": "markdown", "markdown": {"content": digest_render.markdown(d, limit)}}
    if hook.kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": d.title, "text": digest_render.markdown(d, limit)}}
        params = {}
        if hook.secret:
            stamp = str(int(now() * 1000))
            params = {"timestamp": stamp, "sign": _sign(hook.secret, f"{stamp}\n{hook.secret}", False)}
        return hook.url, params, body
    if hook.kind == "feishu":
        body = {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": d.title}},
            "elements": [{"tag": "markdown", "content": digest_render.markdown(d, limit, headings=False)}]}}
        if hook.secret:
            stamp = str(int(now()))
            body = {"timestamp": stamp, "sign": _sign(hook.secret, f"{stamp}\n{hook.secret}", True), **body}
        return hook.url, {}, body
    return hook.url, {}, {"title": d.title, "markdown": digest_render.markdown(d), "html": digest_render.html_page(d),
                          "user": d.user, "as_of": d.as_of.isoformat()}


def send_webhook(d: Digest, hook: Webhook, timeout_s: float) -> None:
    """One robot message; DeliveryError when the robot does not take it."""
    url, params, body = robot_request(d, hook)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        target = httpx.URL(url).copy_merge_params(params)  # a signature joins the URL's own key, never replaces it
    except httpx.InvalidURL:
        raise DeliveryError("the webhook's URL is not a usable URL", False) from None
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
            answer = client.post(target, content=data, headers={"Content-Type": "application/json; charset=utf-8"})
    except httpx.HTTPError as exc:
        raise DeliveryError(f"cannot reach the webhook ({type(exc).__name__})", True) from None
    if answer.status_code >= 300:
        transient = answer.status_code >= 500 or answer.status_code == 429
        raise DeliveryError(f"the webhook answered HTTP {answer.status_code}", transient)
    problem = _robot_problem(hook.kind, answer)
    if problem:
        raise DeliveryError(f"the robot refused the message ({problem})", False)


def _robot_problem(kind: str, answer: httpx.Response) -> str | None:
    """WeCom, DingTalk and Feishu answer 200 with an error code in the body when they refuse a message."""
    if kind == "generic":
        return None
    try:
        reply = answer.json()
    except ValueError:
        return "its answer is not JSON"
    if not isinstance(reply, dict):
        return "its answer is not a JSON object"
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
    if code in (0, None):
        return None
    message = reply.get("errmsg", reply.get("msg", reply.get("StatusMessage", "")))
    return f"code {code}: {' '.join(str(message).split())[:200]}"


# ---------------------------------------------------------------- one recipient, with retries

@dataclass(frozen=True)
class Outcome:
    recipient: str              # "email:a@x.com" / "webhook:name"
    ok: bool
    attempts: int
    reason: str = ""            # why not (no secret in it)


def deliver(d: Digest, recipient: str, retries: Retries, sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Send `d` to one recipient ("email:…" or "webhook:…"), trying again while the failure may pass."""
    kind, _, target = recipient.partition(":")
    try:
        if kind == "email":
            smtp = smtp_settings()
            if smtp is None:
                return Outcome(recipient, False, 0, "no SMTP server is configured (BELTBOARD_SMTP_HOST, or "
                                                    "[digest.smtp] in .streamlit/secrets.toml)")
            secrets, send = smtp.secrets, (lambda: send_email(d, target, smtp, retries.timeout_s))
        else:
            hook = webhook(target)
            secrets, send = hook.secrets, (lambda: send_webhook(d, hook, retries.timeout_s))
    except SettingsError as exc:
        return Outcome(recipient, False, 0, str(exc))
    attempt, wait = 0, retries.wait_s
    while True:
        attempt += 1
        try:
            send()
            return Outcome(recipient, True, attempt)
        except DeliveryError as exc:
            if not exc.transient or attempt >= retries.attempts:
                return Outcome(recipient, False, attempt, redact(str(exc), secrets))
        sleep(wait)
        wait *= 2
