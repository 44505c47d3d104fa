"""``balie serve``: the app in a browser, for desks without a terminal (textual-serve).

textual-serve starts one process per browser session, runs the command line it was
given in it, and passes keys and screen between the browser (xterm.js) and that
process over a websocket. It has no authentication of its own, so:

* each session runs ``balie start --login``: nothing but the login screen is usable
  until a staff member has logged in with their password (balie.db.login);
* it listens on 127.0.0.1 unless told otherwise; for other computers it belongs behind
  a reverse proxy that adds TLS (the CLI warns when that seems to be missing);
* a websocket from a page of another site is refused (the browser's Origin header),
  and the number of sessions at once is limited: each is a process of its own.

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

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 20
"""Each session is a Python process of about 60-80 MB; twenty desks at once is more
than Welzijnswerk Midden-Drenthe has, and far from what the server holds."""
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
    return f"web {address}" if address else "web"


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


def make_server(db_path: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                public_url: str | None = None,
                max_sessions: int = DEFAULT_MAX_SESSIONS):
    """The textual-serve server for the database at ``db_path`` (not started)."""
    from aiohttp import web
    from textual_serve.server import Server

    class BalieServer(Server):
        """textual-serve's server with a command line per session and two checks."""

        sessions = 0

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
                            request.headers.get("Origin"))
                raise web.HTTPForbidden(text="balie: deze pagina mag geen sessie starten.")
            if BalieServer.sessions >= max_sessions:
                log.warning("sessie geweigerd: al %d sessies tegelijk", max_sessions)
                raise web.HTTPServiceUnavailable(
                    text="balie: te veel sessies tegelijk; probeer het zo opnieuw.")
            origin = web_origin(client_address(request.remote,
                                               request.headers.get("X-Forwarded-For")))
            # textual-serve reads the command from the server object when the session
            # starts: a copy per session carries this browser's command line.
            session = copy.copy(self)
            session.command = session_command(db_path, origin)
            BalieServer.sessions += 1
            try:
                return await Server.handle_websocket(session, request)
            finally:
                BalieServer.sessions -= 1

    return BalieServer(session_command(db_path, "web"), host=host, port=port, title="balie",
                       public_url=public_url or default_public_url(host, port),
                       templates_path=TEMPLATES)
