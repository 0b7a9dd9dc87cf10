"""A real IMAP server for the tests: Debian's Dovecot (package ``dovecot-imapd``) started
in the foreground from a configuration written into a temporary directory.

- ``imap_server`` (session): the running server, an :class:`ImapServer`. Plain-text login
  on 127.0.0.1 without TLS, one user (``support@prichal.test`` / ``support-secret``), a
  Maildir under the temporary directory, a free port. Stopped at the end of the session.
- ``imap_mailbox`` (function): the same server with every folder of the user emptied
  (INBOX kept, other folders deleted) before the test. Put messages in with
  ``imap_mailbox.append(raw_bytes)`` (a real IMAP APPEND, as a delivery would leave them:
  unseen; returns the UID) and read them with ``imap_mailbox.mailbox()``, an
  :class:`support.mailbox.ImapMailbox` pointed at the server; ``imap_mailbox.settings()``
  gives the SUPPORT_IMAP_* settings for it, ``imap_mailbox.messages()`` UID → flags.
- A second user, ``duty@prichal.test``, has a non-ASCII password (``UTF8_USERNAME``,
  ``UTF8_PASSWORD``).

When the suite runs as root (CI), Dovecot drops to its own ``dovecot``/``dovenull`` users
and the mail belongs to ``nobody`` (Dovecot refuses mail access as root); as a normal user
everything runs as that user (no chroots). A missing ``dovecot`` binary fails the tests
that need it, naming the package to install.
"""

from __future__ import annotations

import getpass
import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.mailbox import ImapMailbox

USERNAME = "support@prichal.test"
PASSWORD = "support-secret"
# A second login whose password is not ASCII (IMAP LOGIN cannot carry it; SASL PLAIN can).
UTF8_USERNAME = "duty@prichal.test"
UTF8_PASSWORD = "пароль-秘密"
START_TIMEOUT = 20.0

CONFIG = """\
# Written by tests/support/dovecot.py for one test session.
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = prichal-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# No delay after a wrong password.
auth_failure_delay = 0
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:~/Maildir
{user_settings}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{login_chroot}}}
# No per-IP penalty either (it would delay every later login from 127.0.0.1 by seconds):
# the auth process cannot open anvil's penalty socket, so Dovecot switches it off.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
{anvil_chroot}}}
{extra_services}"""

NON_ROOT = """\
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
"""
NON_ROOT_SERVICES = """\
service auth {
  user = $default_internal_user
}
"""


def find_dovecot() -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which("dovecot", path=path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    root: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        """A logged-in imaplib connection (the caller logs out)."""
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.username, self.password)
        return conn

    def mailbox(self, **overrides) -> ImapMailbox:
        """The production reader pointed at this server (not yet connected)."""
        options = {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "ssl": False,
            "starttls": False,
            "timeout": 10.0,
        }
        options.update(overrides)
        return ImapMailbox(**options)

    def settings(self) -> dict:
        """SUPPORT_IMAP_* settings pointing at this server."""
        return {
            "SUPPORT_IMAP_HOST": self.host,
            "SUPPORT_IMAP_PORT": self.port,
            "SUPPORT_IMAP_USER": self.username,
            "SUPPORT_IMAP_PASSWORD": self.password,
            "SUPPORT_IMAP_SSL": False,
            "SUPPORT_IMAP_STARTTLS": False,
            "SUPPORT_IMAP_FOLDER": "INBOX",
        }

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "") -> int:
        """Deliver a message by IMAP APPEND (unseen unless ``flags`` says otherwise);
        returns its UID."""
        conn = self.client()
        try:
            if folder.upper() != "INBOX":
                conn.create(f'"{folder}"')
            status, data = conn.append(f'"{folder}"', f"({flags})" if flags else None, None, raw)
            assert status == "OK", data
            match = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            assert match, data
            return int(match.group(1))
        finally:
            conn.logout()

    def folders(self) -> list[str]:
        conn = self.client()
        try:
            _, data = conn.list()
        finally:
            conn.logout()
        names = []
        for line in data:
            match = re.match(rb'\(.*?\) (?:"[^"]*"|NIL) (.+)$', line or b"")
            if match:
                names.append(match.group(1).decode().strip('"'))
        return names

    def messages(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of every message in the folder, without ``\\Recent`` (read with
        EXAMINE: no side effects)."""
        conn = self.client()
        try:
            status, _ = conn.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return {}
            _, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
        finally:
            conn.logout()
        result = {}
        for line in data:
            if not line:
                continue
            match = re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", line)
            if not match:
                match = re.search(rb"FLAGS \(([^)]*)\) UID (\d+)", line)
                if match:
                    result[int(match.group(2))] = set(match.group(1).decode().split())
                continue
            result[int(match.group(1))] = set(match.group(2).decode().split())
        return {uid: flags - {"\\Recent"} for uid, flags in result.items()}

    def clear(self) -> None:
        """Empty INBOX and delete every other folder."""
        conn = self.client()
        try:
            for name in self.folders():
                if name.upper() == "INBOX":
                    _, data = conn.select("INBOX")
                    if int(data[0] or 0):
                        conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                        conn.expunge()
                    conn.close()
            for name in sorted(self.folders(), key=len, reverse=True):
                if name.upper() != "INBOX":
                    conn.delete(f'"{name}"')
        finally:
            conn.logout()


def _wait_for_greeting(process: subprocess.Popen, port: int, root: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                greeting = sock.recv(200)
            if greeting.startswith(b"* OK"):
                return
            last_error = greeting
        except OSError as exc:
            last_error = exc
        time.sleep(0.05)
    output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
    log = (
        (root / "dovecot.log").read_text(errors="replace")
        if (root / "dovecot.log").exists()
        else ""
    )
    _stop(process)
    pytest.fail(
        f"Dovecot did not greet on 127.0.0.1:{port} within {START_TIMEOUT}s "
        f"(exit code {process.returncode}, last error {last_error!r}).\n"
        f"Output:\n{output}\nLog:\n{log}",
        pytrace=False,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    if process.stdout:
        process.stdout.close()


def start_dovecot() -> ImapServer:
    binary = find_dovecot()
    if binary is None:
        pytest.fail(
            "The IMAP tests need Dovecot: install the Debian package dovecot-imapd "
            "(`make system-test` does, as root).",
            pytrace=False,
        )
    root = Path(tempfile.mkdtemp(prefix="prichal-dovecot-"))
    root.chmod(0o755)  # Dovecot's unprivileged processes must reach base_dir
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid = nobody.pw_uid, nobody.pw_gid
        os.chown(root / "mail", mail_uid, mail_gid)
        user_settings, extra_services, login_chroot, anvil_chroot = "", "", "", ""
    else:
        mail_uid, mail_gid = os.getuid(), os.getgid()
        user = getpass.getuser()
        group = grp.getgrgid(mail_gid).gr_name
        user_settings = NON_ROOT.format(user=user, group=group)
        extra_services = NON_ROOT_SERVICES
        login_chroot = anvil_chroot = "  chroot =\n"
    home = root / "mail" / "support"
    (root / "passwd").write_text(
        f"{USERNAME}:{{PLAIN}}{PASSWORD}:{mail_uid}:{mail_gid}::{home}\n"
        f"{UTF8_USERNAME}:{{PLAIN}}{UTF8_PASSWORD}:{mail_uid}:{mail_gid}::{root / 'mail' / 'duty'}\n",
        encoding="utf-8",
    )
    (root / "passwd").chmod(0o644)
    last_failure = ""
    for _attempt in range(3):  # the free port may be taken between choosing and binding
        port = free_port()
        conf = root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                root=root,
                port=port,
                mail_uid=min(mail_uid, 500) or 1,
                mail_gid=min(mail_gid, 500) or 1,
                user_settings=user_settings,
                login_chroot=login_chroot,
                anvil_chroot=anvil_chroot,
                extra_services=extra_services,
            )
        )
        process = subprocess.Popen(
            [binary, "-F", "-c", str(conf)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        time.sleep(0.05)
        if process.poll() is not None:
            last_failure = process.stdout.read().decode(errors="replace")
            process.stdout.close()
            if "Address already in use" in last_failure:
                continue
            break
        _wait_for_greeting(process, port, root)
        return ImapServer("127.0.0.1", port, USERNAME, PASSWORD, root, process)
    log = (
        (root / "dovecot.log").read_text(errors="replace")
        if (root / "dovecot.log").exists()
        else ""
    )
    shutil.rmtree(root, ignore_errors=True)
    pytest.fail(f"Dovecot did not start:\n{last_failure}\n{log}", pytrace=False)


@pytest.fixture(scope="session")
def imap_server():
    server = start_dovecot()
    yield server
    _stop(server.process)
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def imap_mailbox(imap_server):
    imap_server.clear()
    return imap_server
