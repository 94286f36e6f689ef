"""A real IMAP server for tests: Debian's dovecot, started as a throwaway instance on a
loopback port with its own configuration and a Maildir per user in a temporary directory (a
static passdb: any user name logs in with one password). Mail is delivered by writing the
Maildir, as a local delivery agent does.

Use it from any app's tests::

    from guanxi.core.tests.imap_server import imap_server, message
    __all__ = ["imap_server"]  # the fixture, used by name

    def test_x(imap_server, settings):
        box = imap_server.mailbox("support")           # a fresh user: nothing of other tests
        imap_server.deliver(box, raw_bytes)
        settings.GUANXI_MAILBOXES = imap_server.setting(box)

The fixture is session-scoped and skips, saying why, when dovecot is not installed
(``./dev test`` installs ``dovecot-imapd`` where it may). Dovecot never runs as root: as root
the instance runs as ``nobody`` and the files are handed to it.
"""

from __future__ import annotations

import grp
import imaplib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)),
        None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class TestMailbox:
    user: str
    name: str
    purpose: str


class ImapServer:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="guanxi-imap-"))
        self.port, self.tls_port = _free_port(), _free_port()
        self.cafile = self.root / "cert.pem"
        self._counter = itertools.count()
        if os.geteuid() == 0:
            account = pwd.getpwnam("nobody")
            self.uid, self.gid = account.pw_uid, account.pw_gid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
        self.user = pwd.getpwuid(self.uid).pw_name
        self.group = grp.getgrgid(self.gid).gr_name
        self.process: subprocess.Popen | None = None

    # --- Life ----------------------------------------------------------------------------

    def start(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        ssl = "ssl = no"
        if self._certificate():
            ssl = f"ssl = yes\nssl_cert = <{self.root}/cert.pem\nssl_key = <{self.root}/key.pem"
        (self.root / "dovecot.conf").write_text(CONFIG.format(
            root=self.root, user=self.user, group=self.group, port=self.port,
            tls_port=self.tls_port, password=PASSWORD, ssl=ssl))
        self._own(self.root, recursive=True)
        as_root = os.geteuid() == 0
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            user=self.uid if as_root else None, group=self.gid if as_root else None,
            extra_groups=[] if as_root else None)
        deadline = time.monotonic() + 15
        while True:
            try:
                imaplib.IMAP4("127.0.0.1", self.port, timeout=2).shutdown()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.root / "dovecot.log"
                    self.stop()
                    raise RuntimeError("dovecot did not start: " + (
                        log.read_text()[-2000:] if log.exists() else "no log")) from None
                time.sleep(0.05)  # polling the port until it answers

    def _certificate(self) -> bool:
        """A self-signed certificate for 127.0.0.1 (``cafile`` for the clients); without
        openssl the server speaks plain IMAP only and ``tls_port`` is 0."""
        openssl = shutil.which("openssl")
        if openssl is None:
            self.tls_port = 0
            return False
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(self.root / "key.pem"),
                        "-out", str(self.cafile)], check=True, capture_output=True)
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def _own(self, path: Path, recursive: bool = False) -> None:
        if os.geteuid() != 0:
            return
        os.chown(path, self.uid, self.gid)
        if recursive:
            for dirpath, dirnames, filenames in os.walk(path):
                for name in dirnames + filenames:
                    os.chown(os.path.join(dirpath, name), self.uid, self.gid)

    # --- Users and mail ------------------------------------------------------------------

    def mailbox(self, purpose: str = "support", name: str = "") -> TestMailbox:
        """A new user with an empty INBOX; ``name`` is the mailbox's name in the setting."""
        user = f"u{uuid.uuid4().hex[:12]}"  # every user name logs in with PASSWORD
        maildir = self.root / "mail" / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        self._own(self.root / "mail" / user, recursive=True)
        return TestMailbox(user=user, name=name or purpose, purpose=purpose)

    def deliver(self, box: TestMailbox, raw: bytes, folder: str = "") -> None:
        """Put ``raw`` into the mailbox as a new, unread message (Maildir delivery: written to
        tmp/, then renamed into new/)."""
        maildir = self.root / "mail" / box.user / "Maildir"
        if folder:
            maildir = maildir / f".{folder}"
            for sub in ("cur", "new", "tmp"):
                (maildir / sub).mkdir(parents=True, exist_ok=True)
        unique = f"{time.time_ns()}.P{os.getpid()}Q{next(self._counter)}.guanxi-test"
        tmp = maildir / "tmp" / unique
        tmp.write_bytes(raw.replace(b"\r\n", b"\n"))
        self._own(tmp)
        tmp.rename(maildir / "new" / unique)

    def setting(self, *boxes: TestMailbox, **query: str) -> str:
        """The GUANXI_MAILBOXES value naming ``boxes`` on this server."""
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return " ".join(f"{b.name}=imap://{b.user}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"
                        f"?purpose={b.purpose}{extra}" for b in boxes)

    def connect(self, box: TestMailbox) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(box.user, PASSWORD)
        return imap

    def unseen(self, box: TestMailbox, folder: str = "INBOX") -> int:
        """How many messages in ``folder`` are still unread."""
        imap = self.connect(box)
        try:
            imap.select(folder)
            _typ, data = imap.search(None, "UNSEEN")
            return len(data[0].split()) if data and data[0] else 0
        finally:
            imap.logout()

    def count(self, box: TestMailbox, folder: str = "INBOX") -> int:
        imap = self.connect(box)
        try:
            _typ, data = imap.select(folder)
            return int(data[0] or 0)
        finally:
            imap.logout()


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("dovecot is not installed (Debian package dovecot-imapd; ./dev test "
                    "installs it when run as root): the IMAP tests need a real server")
    server = ImapServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def message(sender: str = "zhang.san@example.cn", to: str = "support@guanxi.test",
            subject: str = "询价：S11 变压器", body: str = "您好，请报价。",
            *, message_id: str = "", in_reply_to: str = "", references: str = "",
            headers: dict[str, str] | None = None,
            attachments: tuple[tuple[str, str, bytes], ...] = ()) -> bytes:
    """An e-mail as a mail client sends it (UTF-8, encoded words in the headers)."""
    from email import policy
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(domain="example.cn")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()
