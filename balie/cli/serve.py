"""``balie serve`` and ``balie password``: the app in a browser, and its passwords."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balie.cli.common import Commands, fail, port, sign_in, whole
from balie.config import access_from


def register(commands: Commands) -> None:
    serve = commands.add(
        "serve",
        "maak balie bruikbaar in een webbrowser (voor balies zonder terminal)",
        "Start een webserver (textual-serve): elke browser krijgt een eigen balie-sessie\n"
        "en meldt zich eerst aan met gebruikersnaam en wachtwoord (zie balie password).\n"
        "Luistert standaard alleen op deze computer (127.0.0.1). Voor andere computers:\n"
        "zet er een reverse proxy met TLS (https) voor en geef --public-url op.",
        run=run_serve,
    )
    serve.add_argument("--host", default="127.0.0.1", metavar="ADRES",
                       help="adres om op te luisteren (standaard 127.0.0.1: alleen deze "
                            "computer)")
    serve.add_argument("--port", type=port, default=8000, metavar="POORT",
                       help="poort (standaard 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="het adres waarop browsers balie bereiken, zoals de proxy het "
                            "toont (bijv. https://balie.welzijnmd.nl)")
    serve.add_argument("--max-sessions", type=whole(1, 1000), default=20, metavar="N",
                       help="hoeveel browsersessies tegelijk (standaard 20)")
    serve.add_argument("--max-per-address", type=whole(1, 1000), default=3, metavar="N",
                       help="hoeveel sessies tegelijk van één adres (standaard 3; hoger als "
                            "alle balies via één NAT-adres komen)")

    password = commands.add(
        "password",
        "stel het wachtwoord in voor aanmelden in de browser (balie serve)",
        "Stelt het wachtwoord van een medewerker in of opnieuw in (beheer; of uw eigen).\n"
        "Het wachtwoord wordt twee keer gevraagd en is niet zichtbaar bij het typen.\n"
        "Een nieuw wachtwoord heft ook een blokkade na te veel mislukte pogingen op.\n"
        "  balie password anna\n"
        "  printf '%s\\n' \"$WACHTWOORD\" | balie password anna --stdin   (in een script)",
        run=run_password,
    )
    password.add_argument("username", metavar="GEBRUIKERSNAAM")
    password.add_argument("--stdin", action="store_true",
                          help="lees het wachtwoord (één regel) van standaardinvoer, voor "
                               "een script")


def run_serve(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.serve import make_server, needs_tls_warning

    # Created or upgraded here, once: the sessions then never race to migrate, and a
    # problem with the file shows now instead of in a browser.
    with open_database(path, access=access_from()) as db:
        (ready,) = db.execute(
            """SELECT count(*) FROM staff WHERE password_hash IS NOT NULL
               AND retired_at IS NULL
               AND EXISTS (SELECT 1 FROM staff_role WHERE staff_id = staff.id)""").fetchone()
    if needs_tls_warning(args.host, args.public_url):
        print(f"balie: let op: balie serve luistert op {args.host} zonder versleuteling. "
              "Wachtwoorden en persoonsgegevens gaan dan leesbaar over het netwerk. Laat "
              "balie op 127.0.0.1 luisteren en zet er een reverse proxy met TLS (https) "
              "voor, met --public-url https://...", file=sys.stderr)
    if not ready:
        print("balie: nog niemand kan zich aanmelden: geef eerst een medewerker een "
              "wachtwoord met balie password GEBRUIKERSNAAM.", file=sys.stderr)
    server = make_server(path.resolve(), host=args.host, port=args.port,
                         public_url=args.public_url, max_sessions=args.max_sessions,
                         max_per_address=args.max_per_address)
    try:
        server.serve()
    except OSError as error:
        from balie.domain.wording import os_reason

        return fail(f"kan niet luisteren op {args.host}:{args.port}: "
                    f"{os_reason(error)}. Is de poort al in gebruik? Kies een andere "
                    "met --port.")
    return 0



def run_password(path: Path, args: argparse.Namespace) -> int:
    import os

    from balie.db import open_database
    from balie.db.login import check_password_change, set_password
    from balie.domain.passwords import password_problem
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        actor = sign_in(db)
        account = check_password_change(db, actor, args.username)  # refused before typing
        if args.stdin and sys.stdin is not None:
            password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        elif os.environ.get("CI") or sys.stdin is None or not sys.stdin.isatty():
            return fail("geen terminal om het wachtwoord onzichtbaar te typen. Gebruik "
                        "--stdin om het uit een script door te geven.", 2)
        else:
            import getpass

            password = getpass.getpass(f"Nieuw wachtwoord voor {account.username}: ")
            problem = password_problem(password)
            if problem is not None:
                return fail(f"{problem} Er is niets gewijzigd.", 2)
            if getpass.getpass("Nog een keer, ter controle: ") != password:
                return fail("de twee wachtwoorden zijn niet gelijk; er is niets gewijzigd.", 2)
        set_password(db, actor, account.username, password, utc_now())
    print(f"Wachtwoord van {account.username} ingesteld. Aanmelden in de browser kan nu "
          "(balie serve).")
    return 0
