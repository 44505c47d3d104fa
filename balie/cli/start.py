"""``balie start`` (or ``balie`` alone): the app at this terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from balie.cli.common import Commands, fail, origin


def register(commands: Commands) -> None:
    start = commands.add("start", "start de app (hetzelfde als balie zonder commando)", run=run)
    start.add_argument("--login", action="store_true",
                       help="eerst aanmelden met gebruikersnaam en wachtwoord (zoals in de "
                            "browser via balie serve) in plaats van het OS-account")
    start.add_argument("--origin", metavar="HERKOMST", default=None, type=origin,
                       help="herkomst voor het auditlog bij --login (balie serve geeft "
                            "'web' en het adres van de browser)")


def run(path: Path, args: argparse.Namespace) -> int:
    if args.origin is not None and not args.login:
        return fail("--origin hoort bij --login.", 2)
    return start_app(path, login=args.login, origin=args.origin)


def start_app(path: Path, *, login: bool = False, origin: str | None = None) -> int:
    """Run the app at this terminal until it stops; its exit code."""
    from balie.app import make_app

    app = make_app(path, login=login, origin=origin)
    app.run()
    return app.return_code or 0
