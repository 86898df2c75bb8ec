"""Shared test fixtures: the named people every view test uses (pytest plugin, loaded
by the root conftest.py).

Each person has a comment on what they may see. They live in a small directory of
their own (not the demo data) so tests do not depend on its exact contents; tests of
resolution load the demo directory itself.
"""
from __future__ import annotations

import pytest

PASSWORD = "Mật-khẩu-thử-2026"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads go to a per-test folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def province(db):
    from directory.models import Province

    return Province.objects.create(name="Tỉnh Thử", code="tinh-thu")


@pytest.fixture
def other_province(db):
    from directory.models import Province

    return Province.objects.create(name="Tỉnh Khác", code="tinh-khac")


@pytest.fixture
def unit_a(province):
    from directory.models import Unit

    return Unit.objects.create(name="Sở Văn hóa, Thể thao và Du lịch", kind="so_nganh", province=province)


@pytest.fixture
def unit_b(province):
    from directory.models import Unit

    return Unit.objects.create(name="Sở Tài chính", kind="so_nganh", province=province)


def _user(username, **fields):
    from accounts.models import User

    units = fields.pop("units", [])
    u = User.objects.create_user(username=username, password=PASSWORD, **fields)
    if units:
        u.units.set(units)
    return u


@pytest.fixture
def officer(province):
    """Department officer of `province`: reads and edits everything in it."""
    return _user("canbo.so", role="officer", province=province, first_name="Lan", last_name="Nguyễn")


@pytest.fixture
def leader(province):
    """Leader of `province`: reads everything in it, edits nothing."""
    return _user("lanhdao", role="leader", province=province)


@pytest.fixture
def reporter(unit_a):
    """Reporter of unit_a: sees unit_a's assignments and nothing of unit_b."""
    return _user("baocao.a", role="reporter", units=[unit_a])


@pytest.fixture
def other_reporter(unit_b):
    """Reporter of unit_b: must never see unit_a's work."""
    return _user("baocao.b", role="reporter", units=[unit_b])


@pytest.fixture
def other_officer(other_province):
    """Officer of another province: sees nothing of `province`."""
    return _user("canbo.khac", role="officer", province=other_province)


@pytest.fixture
def outsider(db):
    """Logged in, but with no province and no unit: sees nothing."""
    return _user("nguoingoai", role="reporter")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as `user` (force_login: the
    login form and its lockout are tested on their own)."""

    def make(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


# --- A real SMTP server on loopback -----------------------------------------------------


class _Mailbox:
    """What an aiosmtpd server on 127.0.0.1 received: `messages` (parsed
    email.message.EmailMessage, in order of arrival) and `envelopes` (sender and
    recipients as the SMTP session gave them). Addresses put in `refused` get "550" at
    RCPT TO; `delay` seconds make each DATA answer slow. `stop()` shuts the server down, so that the next delivery fails with
    "connection refused"; `start(port)` brings it back."""

    def __init__(self):
        import threading

        self.messages: list = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self.controller = None
        self.port = 0
        self.refused: set[str] = set()
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        import email.policy

        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list:
        """The messages whose envelope named `address` as a recipient."""
        with self._lock:
            return [m for m, (_, rcpt) in zip(self.messages, self.envelopes) if address in rcpt]

    def start(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        controller = Controller(self, hostname="127.0.0.1", port=port)
        controller.start()
        self.controller, self.port = controller, port

    def stop(self) -> None:
        """Shut the server down: deliveries fail until `start(self.port)` again."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An SMTP server (aiosmtpd) on a free port of 127.0.0.1; Django's SMTP backend is
    pointed at it for the test. Yields the _Mailbox that collects what arrives."""
    box = _Mailbox()
    for _attempt in range(5):  # the port could be taken between choosing and binding it
        try:
            box.start(_free_port())
        except OSError:
            continue
        break
    else:
        raise RuntimeError("smtp_server: no free port on 127.0.0.1")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = box.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield box
    box.stop()
