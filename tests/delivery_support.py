"""Real servers on 127.0.0.1 for the digest's delivery tests: an SMTP server (aiosmtpd, with a login) that keeps
what it is sent, and an HTTP receiver that answers as each group-chat robot does and keeps what it is posted."""
from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "beltboard-mailer"
SMTP_PASSWORD = "pw-Kq83-never-shown"


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage


class Inbox:
    """An aiosmtpd handler keeping every message."""

    def __init__(self):
        self.mails: list[Mail] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == SMTP_USER \
            and auth_data.password.decode() == SMTP_PASSWORD
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.recipients]


def free_port() -> int:
    """A port nothing listens on now (for a server to take, or to be refused on)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()  # returns once the server answers
    return controller, inbox


@dataclass
class Post:
    path: str
    query: dict
    body: dict
    headers: dict


@dataclass
class Receiver:
    """What every path was posted; /broken answers 500, robots' paths answer as their robot does."""
    posts: list[Post] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, prefix: str) -> list[Post]:
        with self.lock:
            return [p for p in self.posts if p.path.startswith(prefix)]


ANSWERS = {"/wecom": (200, {"errcode": 0, "errmsg": "ok"}), "/dingtalk": (200, {"errcode": 0, "errmsg": "ok"}),
           "/feishu": (200, {"code": 0, "msg": "success", "data": {}}), "/generic": (200, {}),
           "/broken": (500, {"error": "down"})}


def http_receiver() -> tuple[ThreadingHTTPServer, Receiver, threading.Thread]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            with receiver.lock:
                receiver.posts.append(Post(parts.path, parse_qs(parts.query), body, dict(self.headers)))
            status, answer = next((v for k, v in ANSWERS.items() if parts.path.startswith(k)), (404, {}))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, receiver, thread
