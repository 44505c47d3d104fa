"""``balie serve``: the app in a browser, for desks without a terminal (textual-serve).

textual-serve starts one process per browser session, runs the command line it was
given in it, and passes keys and screen between the browser (xterm.js) and that
process over a websocket. It has no authentication of its own, so:

* each session runs ``balie start --login``: nothing but the login screen is usable
  until a staff member has logged in with their password (balie.db.login);
* it listens on 127.0.0.1 unless told otherwise; for other computers it belongs behind
  a reverse proxy that adds TLS (the CLI warns when that seems to be missing);
* a websocket from a page of another site is refused (the browser's Origin header),
  and the number of sessions at once is limited, in all and per browser address: each
  is a process of its own;
* the terminal size a browser asks for is capped before a process starts (a session
  of 20000 x 20000 cells took 1.8 GB);
* every request must name this server in its Host header (the public URL's name, an
  IP address, localhost): a page of another name that resolves to this machine (DNS
  rebinding) gets nothing;
* every response carries a Content-Security-Policy (no inline script, no frames, no
  connections but to balie), nosniff, no referrer, and no server version.

textual-serve gives the session no word about the browser: the same command line and
environment for every session. :class:`BalieServer` therefore builds the command line
per websocket, with ``--origin "web ADDRESS"`` for the audit log.
"""

from __future__ import annotations

import copy
import ipaddress
import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from balie.domain.origin import make_origin
from balie.domain.text import visible

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 20
"""Each session is a Python process of about 60-80 MB; twenty desks at once is more
than Welzijnswerk Midden-Drenthe has, and far from what the server holds."""
DEFAULT_MAX_PER_ADDRESS = 3
"""Sessions at once from one browser address: a desk with a tab or two open, not one
machine taking every session of the server."""
MAX_COLUMNS, MAX_ROWS = 300, 100
"""The largest terminal a session gets (a 4K screen in a small font); a browser that
asks for more gets this. Memory grows with the cells: 20000 x 20000 took 1.8 GB."""
MIN_COLUMNS, MIN_ROWS = 20, 5
TEMPLATES = Path(__file__).parent / "web"

log = logging.getLogger("balie.serve")


def is_loopback(host: str) -> bool:
    """Does listening on ``host`` keep the port to this machine?"""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def needs_tls_warning(host: str, public_url: str | None) -> bool:
    """Listening beyond this machine with no https address in front: passwords and
    personal details would cross the network unencrypted."""
    return not is_loopback(host) and not (public_url or "").lower().startswith("https://")


def default_public_url(host: str, port: int) -> str:
    """Where browsers reach the server when no --public-url is given."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The browser's address, as well as it can be known.

    The peer of the connection, unless that is this machine and X-Forwarded-For is set:
    then a reverse proxy on this machine connected for the browser, and the last entry
    is the address that proxy saw (earlier entries come from the browser's side and
    can say anything). Only a valid IP address is returned: it goes into a command line.
    """
    address = _address(peer)
    if address is not None and address.is_loopback and forwarded_for:
        forwarded = _address(forwarded_for.split(",")[-1])
        if forwarded is not None:
            return str(forwarded)
    return str(address) if address is not None else None


def web_origin(address: str | None) -> str:
    """The origin of a browser session in the audit log."""
    return make_origin("web", address or "")


def session_command(db_path: Path, origin: str, python: str = sys.executable) -> str:
    """The command line of one browser session (textual-serve runs it through a shell)."""
    parts = [python, "-m", "balie", "--db", str(db_path), "start", "--login",
             "--origin", origin]
    return subprocess.list2cmdline(parts) if os.name == "nt" else shlex.join(parts)


def _site(url: str) -> tuple[str, str, int | None] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return None
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    # localhost, 127.0.0.1 and ::1 are one place: the page may be opened under one name
    # while its websocket goes to the public URL's.
    host = "loopback" if is_loopback(parts.hostname) else parts.hostname.lower()
    return parts.scheme.lower(), host, port


def same_site(origin: str | None, public_url: str, host_header: str | None) -> bool:
    """May a websocket opened by a page of ``origin`` start a session?

    A browser sends Origin with every websocket: a page of another site (one a desk
    worker happens to visit) must not start balie sessions and type into them. Allowed:
    the public address, or the address the request itself was made to. No Origin: not
    a browser, which no other site can drive.
    """
    if origin is None:
        return True
    site = _site(origin)
    if site is None:
        return False
    if site == _site(public_url):
        return True
    return host_header is not None and site == _site(f"{site[0]}://{host_header}")


def terminal_size(width: object, height: object) -> tuple[int, int]:
    """The terminal size a session gets for what a browser asked (text of a query, or a
    number of a resize message): within :data:`MAX_COLUMNS` x :data:`MAX_ROWS`, 80 x 24
    for anything that is not a whole number."""

    def whole(value: object, default: int, low: int, high: int) -> int:
        if isinstance(value, bool):
            number = default
        elif isinstance(value, float):
            number = int(value) if value == value and abs(value) < 1e9 else default
        else:
            try:
                number = int(str(value).strip()[:12])
            except ValueError:
                number = default
        return max(low, min(high, number))

    return (whole(width, 80, MIN_COLUMNS, MAX_COLUMNS), whole(height, 24, MIN_ROWS, MAX_ROWS))


def allowed_host(host_header: str | None, public_url: str, bind_host: str) -> bool:
    """Does a request's Host header name this server?

    DNS rebinding: a page of ``evil.example`` whose name then resolves to 127.0.0.1
    reaches balie with ``Host: evil.example``, and the browser counts it as evil's own
    page (its Origin is then evil's too, so the Origin check passes). Names that do
    reach balie: the public URL's, the name it listens on, localhost; and any IP
    address, which is typed, not looked up.
    """
    if not host_header:
        return False
    name = urlsplit(f"http://{host_header.strip()}").hostname
    if not name:
        return False
    if _address(name) is not None:
        return True
    known = {"localhost", (urlsplit(public_url).hostname or "").lower(),
             bind_host.strip("[]").lower()}
    return name.lower().rstrip(".") in known


def security_headers(public_url: str) -> dict[str, str]:
    """The headers of every response: what the page may load and who may frame it.

    The page's script and style come from the public URL (textual-serve builds their
    addresses from it), and its websocket goes there; nothing else is allowed, no
    inline script, no frames (clickjacking: typing into a hidden balie).
    """
    parts = urlsplit(public_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    socket_origin = origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    policy = "; ".join((
        "default-src 'none'",
        f"script-src 'self' {origin}".rstrip(),
        f"style-src 'self' 'unsafe-inline' {origin}".rstrip(),  # xterm.js adds styles
        f"connect-src 'self' {socket_origin}".rstrip(),
        f"img-src 'self' data: {origin}".rstrip(),
        f"font-src 'self' data: {origin}".rstrip(),
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ))
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Server": "balie",  # not aiohttp's name and version
    }


def make_server(db_path: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                public_url: str | None = None,
                max_sessions: int = DEFAULT_MAX_SESSIONS,
                max_per_address: int = DEFAULT_MAX_PER_ADDRESS):
    """The textual-serve server for the database at ``db_path`` (not started)."""
    from aiohttp import web
    from textual_serve.server import Server

    class BalieServer(Server):
        """textual-serve's server with a command line per session, and the checks."""

        sessions = 0
        per_address: dict[str | None, int] = {}

        async def _make_app(self):
            app = await super()._make_app()
            headers = security_headers(self.public_url)

            @web.middleware
            async def named_host(request, handler):
                if not allowed_host(request.headers.get("Host"), self.public_url, host):
                    log.warning("verzoek geweigerd: onbekende Host %r",
                                (request.headers.get("Host") or "")[:100])
                    raise web.HTTPMisdirectedRequest(
                        text="balie: deze server heet anders; gebruik het adres van balie.")
                return await handler(request)

            async def add_headers(request, response) -> None:
                response.headers.update(headers)

            app.middlewares.append(named_host)
            app.on_response_prepare.append(add_headers)
            async def page_script(request):
                return web.FileResponse(TEMPLATES / "balie.js", headers={
                    "Content-Type": "text/javascript; charset=utf-8"})

            app.router.add_get("/balie.js", page_script)
            return app

        async def _process_messages(self, websocket, app_service) -> None:
            # textual-serve's loop, with the size of a resize capped like the first one
            # and a malformed message ignored instead of ending the session.
            from aiohttp import WSMsgType

            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = message.json()
                    kind, data = envelope[0], envelope[1]
                except (ValueError, TypeError, KeyError, IndexError):
                    continue
                if kind == "stdin" and isinstance(data, str):
                    await app_service.send_bytes(data.encode("utf-8"))
                elif kind == "resize" and isinstance(data, dict):
                    await app_service.set_terminal_size(
                        *terminal_size(data.get("width"), data.get("height")))
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await app_service.blur()
                elif kind == "focus":
                    await app_service.focus()

        def initialize_logging(self) -> None:
            # textual-serve's own logging prints the local variables of a failing frame,
            # and those can hold the keys typed in a browser: a password, a name.
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                                datefmt="%H:%M:%S")

        async def on_startup(self, app) -> None:
            print(f"balie serve: open {self.public_url} in de browser. Stoppen: Ctrl+C.",
                  flush=True)

        async def handle_websocket(self, request):
            if not same_site(request.headers.get("Origin"), self.public_url,
                             request.headers.get("Host")):
                log.warning("sessie geweigerd: pagina van een andere site (%s)",
                            visible(request.headers.get("Origin") or "-"))  # to a terminal
                raise web.HTTPForbidden(text="balie: deze pagina mag geen sessie starten.")
            if BalieServer.sessions >= max_sessions:
                log.warning("sessie geweigerd: al %d sessies tegelijk", max_sessions)
                raise web.HTTPServiceUnavailable(
                    text="balie: te veel sessies tegelijk; probeer het zo opnieuw.")
            address = client_address(request.remote, request.headers.get("X-Forwarded-For"))
            if BalieServer.per_address.get(address, 0) >= max_per_address:
                log.warning("sessie geweigerd: al %d sessies van %s", max_per_address,
                            address or "onbekend adres")
                raise web.HTTPTooManyRequests(
                    text="balie: te veel sessies van deze computer tegelijk; sluit een "
                         "ander tabblad met balie.")
            # The size a process starts with, capped here (the query is the browser's).
            width, height = terminal_size(request.query.get("width", "80"),
                                          request.query.get("height", "24"))
            request = request.clone(rel_url=request.rel_url.update_query(
                width=str(width), height=str(height)))
            # textual-serve reads the command from the server object when the session
            # starts: a copy per session carries this browser's command line.
            session = copy.copy(self)
            session.command = session_command(db_path, web_origin(address))
            BalieServer.sessions += 1
            BalieServer.per_address[address] = BalieServer.per_address.get(address, 0) + 1
            try:
                return await Server.handle_websocket(session, request)
            finally:
                BalieServer.sessions -= 1
                BalieServer.per_address[address] -= 1
                if not BalieServer.per_address[address]:
                    del BalieServer.per_address[address]

    return BalieServer(session_command(db_path, "web"), host=host, port=port, title="balie",
                       public_url=public_url or default_public_url(host, port),
                       templates_path=TEMPLATES)
