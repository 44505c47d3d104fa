"""balie serve and balie password: binding, the browser's address, the checks on each
websocket, and the commands' messages."""

from __future__ import annotations

import asyncio
import io
import shlex
from datetime import UTC, datetime

import pytest

from balie import cli
from balie.config import os_username
from balie.db import open_database
from balie.db.access import sign_in
from balie.db.login import log_in
from balie.db.reference import KINDS, add_entry
from balie.serve import (
    client_address,
    default_public_url,
    is_loopback,
    needs_tls_warning,
    same_site,
    session_command,
    web_origin,
)
from tests.serving import serving

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
PASSWORD = "paarse olifant op de fiets"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.0.2.10", False),
    ("balie.example.nl", False),
])
def test_which_addresses_keep_the_port_to_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_a_warning_when_listening_wider_without_https():
    assert not needs_tls_warning("127.0.0.1", None)
    assert needs_tls_warning("0.0.0.0", None)
    assert needs_tls_warning("0.0.0.0", "http://balie.example.nl")
    assert not needs_tls_warning("10.0.0.5", "https://balie.example.nl")
    assert default_public_url("::1", 8000) == "http://[::1]:8000"


@pytest.mark.parametrize(("peer", "forwarded", "address"), [
    ("192.0.2.7", None, "192.0.2.7"),
    # A proxy on this machine: the address it saw is the last entry.
    ("127.0.0.1", "198.51.100.1, 192.0.2.7", "192.0.2.7"),
    ("::1", "2001:db8::7", "2001:db8::7"),
    # From elsewhere, X-Forwarded-For is the browser's own word: not taken.
    ("192.0.2.7", "198.51.100.1", "192.0.2.7"),
    # Only addresses: what goes into the session's command line cannot be anything else.
    ("127.0.0.1", "192.0.2.7; rm -rf /", "127.0.0.1"),
    ("127.0.0.1", "$(reboot)", "127.0.0.1"),
    (None, None, None),
    ("unix socket", None, None),
])
def test_the_browsers_address(peer, forwarded, address):
    assert client_address(peer, forwarded) == address


def test_each_session_runs_the_login_mode_with_its_origin(tmp_path):
    path = tmp_path / "met spatie" / "balie.db"
    command = session_command(path, web_origin("192.0.2.7"), python="/usr/bin/python3")
    assert shlex.split(command) == ["/usr/bin/python3", "-m", "balie", "--db", str(path),
                                    "start", "--login", "--origin", "web 192.0.2.7"]
    assert web_origin(None) == "web"


@pytest.mark.parametrize(("origin", "host", "allowed"), [
    (None, None, True),  # not a browser
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("https://balie.example.nl", "127.0.0.1:8000", True),  # the public address
    ("https://balie.example.nl:443", "127.0.0.1:8000", True),
    ("http://localhost:8000", "localhost:8000", True),  # where the request went
    ("https://evil.example", "127.0.0.1:8000", False),
    ("http://balie.example.nl", "127.0.0.1:8000", False),  # not https
    ("null", "127.0.0.1:8000", False),
])
def test_only_pages_of_balie_itself_may_start_a_session(origin, host, allowed):
    assert same_site(origin, "https://balie.example.nl", host) is allowed


def test_localhost_and_127_0_0_1_are_the_same_site():
    assert same_site("http://localhost:8000", "http://127.0.0.1:8000", "127.0.0.1:8000")
    assert same_site("http://[::1]:8000", "http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not same_site("http://localhost:8001", "http://127.0.0.1:8000", "127.0.0.1:8000")


# --- the real server ------------------------------------------------------------------


@pytest.fixture
def made_db(tmp_path):
    path = tmp_path / "balie.db"
    open_database(path).close()
    return path


@pytest.mark.slow
def test_a_page_of_another_site_cannot_start_a_session_and_sessions_are_counted(
        made_db, tmp_path):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with serving(made_db, tmp_path / "serve.log", "--max-sessions", "1") as url:
        ws_url = url.replace("http:", "ws:") + "/ws?width=80&height=24"
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url, origin="https://evil.example", open_timeout=10)
        assert refused.value.response.status_code == 403
        with connect(ws_url, origin=url, open_timeout=10) as first:
            first.recv(timeout=20)  # the session's first output: it runs
            with pytest.raises(InvalidStatus) as full:
                connect(ws_url, open_timeout=10)
            assert full.value.response.status_code == 503
    log = (tmp_path / "serve.log").read_text()
    assert "sessie geweigerd: pagina van een andere site (https://evil.example)" in log
    assert "sessie geweigerd: al 1 sessies tegelijk" in log


# --- the commands -----------------------------------------------------------------


def test_serve_warns_without_tls_and_when_nobody_can_log_in(made_db, monkeypatch, capsys):
    started = []

    class Server:
        def serve(self):
            started.append(True)

    monkeypatch.setattr("balie.serve.make_server", lambda *a, **k: Server())
    assert cli.main(["--db", str(made_db), "serve"]) == 0
    err = capsys.readouterr().err
    assert "zonder versleuteling" not in err
    assert "nog niemand kan zich aanmelden" in err
    assert cli.main(["--db", str(made_db), "serve", "--host", "0.0.0.0"]) == 0
    assert "balie serve luistert op 0.0.0.0 zonder versleuteling" in capsys.readouterr().err
    assert cli.main(["--db", str(made_db), "serve", "--host", "0.0.0.0",
                     "--public-url", "https://balie.example.nl"]) == 0
    assert "zonder versleuteling" not in capsys.readouterr().err
    assert started == [True] * 3


def test_serve_says_so_when_the_port_is_taken(made_db, monkeypatch, capsys):
    class Server:
        def serve(self):
            raise OSError(98, "Address already in use")

    monkeypatch.setattr("balie.serve.make_server", lambda *a, **k: Server())
    assert cli.main(["--db", str(made_db), "serve", "--port", "8123"]) == 1
    assert "kan niet luisteren op 127.0.0.1:8123" in capsys.readouterr().err


@pytest.fixture
def with_anna(made_db):
    """The OS account running the tests owns the file: beheer through the bootstrap."""
    db = open_database(made_db)
    try:
        _, admin = sign_in(db, os_username(), "test", NOW, owns_file=True)
        add_entry(db, admin, KINDS["staff"], "anna", roles="balie")
    finally:
        db.close()
    return made_db


def test_password_from_a_script(with_anna, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["--db", str(with_anna), "password", "anna", "--stdin"]) == 0
    assert "Wachtwoord van anna ingesteld" in capsys.readouterr().out
    db = open_database(with_anna)
    try:
        assert log_in(db, "anna", PASSWORD, "web", NOW)[0].username == "anna"
    finally:
        db.close()


def test_password_too_short_is_refused(with_anna, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert cli.main(["--db", str(with_anna), "password", "anna", "--stdin"]) == 1
    assert "minstens 12 tekens" in capsys.readouterr().err


def test_password_without_a_terminal_asks_for_stdin(with_anna, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    assert cli.main(["--db", str(with_anna), "password", "anna"]) == 2
    assert "geen terminal om het wachtwoord onzichtbaar te typen" in capsys.readouterr().err


def test_password_typed_twice_without_echo(with_anna, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stdin", type("Tty", (), {"isatty": lambda self: True})())
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert cli.main(["--db", str(with_anna), "password", "anna"]) == 2
    assert "de twee wachtwoorden zijn niet gelijk" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert cli.main(["--db", str(with_anna), "password", "anna"]) == 0


def test_password_refused_before_typing_for_someone_not_allowed(made_db, monkeypatch, capsys):
    db = open_database(made_db)
    try:  # somebody else is beheer: the OS account running the tests is nobody
        sign_in(db, "installateur", "test", NOW, owns_file=True)
    finally:
        db.close()
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("asked for a password"))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["--db", str(made_db), "password", "installateur", "--stdin"]) == 1
    assert "nog niet bekend in balie" in capsys.readouterr().err


def test_origin_only_with_login(made_db, capsys):
    assert cli.main(["--db", str(made_db), "start", "--origin", "web 1.2.3.4"]) == 2
    assert "--origin hoort bij --login" in capsys.readouterr().err


# --- a network in front: sizes, sessions per address, headers, Host ---------------------

from balie.serve import (  # noqa: E402
    MAX_COLUMNS,
    MAX_ROWS,
    allowed_host,
    make_server,
    security_headers,
    terminal_size,
)


@pytest.mark.parametrize(("width", "height", "size"), [
    ("80", "24", (80, 24)), ("20000", "20000", (MAX_COLUMNS, MAX_ROWS)),
    ("-5", "0", (20, 5)), ("abc", "", (80, 24)), (str(2**80), "1e9", (MAX_COLUMNS, 24)),
    (120.7, True, (120, 24)), (None, [], (80, 24)),
])
def test_the_terminal_size_is_capped(width, height, size):
    assert terminal_size(width, height) == size


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True),
    ("balie.example.nl", True), ("BALIE.example.nl:443", True),
    ("192.0.2.7:8000", True),  # an address is typed, never looked up
    ("evil.example", False), ("evil.example:8000", False), ("127.0.0.1.evil.example", False),
    ("", False), (None, False), ("balie.example.nl.evil.example", False),
])
def test_only_names_of_this_server_are_served(host, allowed):
    assert allowed_host(host, "https://balie.example.nl", "127.0.0.1") is allowed


def test_every_response_forbids_frames_inline_script_and_other_sites():
    headers = security_headers("https://balie.example.nl")
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert "script-src 'self' https://balie.example.nl;" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "connect-src 'self' wss://balie.example.nl" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Server"] == "balie"


class FakeSession:
    """Stands in for textual-serve's AppService: records the sizes a process would get."""

    started: list[tuple[int, int]] = []
    resized: list[tuple[int, int]] = []

    def __init__(self, *args, **kwargs):
        pass

    async def start(self, width, height):
        FakeSession.started.append((width, height))

    async def set_terminal_size(self, width, height):
        FakeSession.resized.append((width, height))

    async def send_bytes(self, data):
        pass

    async def stop(self):
        pass


@pytest.fixture
def fake_sessions(monkeypatch):
    import textual_serve.server

    FakeSession.started, FakeSession.resized = [], []
    monkeypatch.setattr(textual_serve.server, "AppService", FakeSession)
    return FakeSession


async def test_sizes_are_capped_before_a_process_starts_and_on_every_resize(
        made_db, fake_sessions):
    from aiohttp.test_utils import TestClient, TestServer

    server = make_server(made_db, public_url="http://127.0.0.1:8000")
    async with TestClient(TestServer(await server._make_app())) as client:
        ws = await client.ws_connect("/ws?width=20000&height=20000",
                                     headers={"Host": "127.0.0.1:8000"})
        await ws.send_json(["resize", {"width": 99999, "height": -3}])
        await ws.send_str("not json")  # ignored, the session goes on
        await ws.send_json(["resize", {"width": 100, "height": 30}])
        await ws.send_json(["ping", "x"])
        assert (await ws.receive_json(timeout=10)) == ["pong", "x"]
        await ws.close()
    assert fake_sessions.started == [(MAX_COLUMNS, MAX_ROWS)]
    assert fake_sessions.resized == [(MAX_COLUMNS, 5), (100, 30)]


async def test_sessions_per_address_are_limited(made_db, fake_sessions):
    from aiohttp import WSServerHandshakeError
    from aiohttp.test_utils import TestClient, TestServer

    server = make_server(made_db, public_url="http://127.0.0.1:8000", max_per_address=2)
    async with TestClient(TestServer(await server._make_app())) as client:
        host = {"Host": "127.0.0.1:8000"}
        # Behind a proxy on this machine the browser's address is X-Forwarded-For's.
        first, second = [await client.ws_connect("/ws", headers={
            **host, "X-Forwarded-For": "192.0.2.7"}) for _ in range(2)]
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers={**host, "X-Forwarded-For": "192.0.2.7"})
        assert refused.value.status == 429
        other = await client.ws_connect("/ws", headers={**host,
                                                        "X-Forwarded-For": "192.0.2.8"})
        await first.close()
        for _ in range(100):  # the server counts the closed session down
            if len(server.per_address) and server.per_address.get("192.0.2.7") == 1:
                break
            await asyncio.sleep(0.02)
        again = await client.ws_connect("/ws", headers={**host,
                                                        "X-Forwarded-For": "192.0.2.7"})
        for ws in (second, other, again):
            await ws.close()


async def test_headers_on_every_response_and_no_other_names(made_db, fake_sessions):
    from aiohttp.test_utils import TestClient, TestServer

    server = make_server(made_db, public_url="https://balie.example.nl")
    async with TestClient(TestServer(await server._make_app())) as client:
        for path in ("/", "/balie.js", "/static/js/textual.js"):
            response = await client.get(path, headers={"Host": "balie.example.nl"})
            assert response.status == 200, path
            assert response.headers["Server"] == "balie"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "no-referrer"
        page = await (await client.get("/", headers={"Host": "balie.example.nl"})).text()
        assert "onclick" not in page.lower() and "<script>" not in page
        # DNS rebinding: evil.example resolves to this machine; its pages get nothing.
        for path in ("/", "/ws", "/static/js/textual.js"):
            response = await client.get(path, headers={"Host": "evil.example",
                                                       "Origin": "http://evil.example"})
            assert response.status == 421, path
