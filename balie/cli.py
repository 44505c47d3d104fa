"""The ``balie`` command: start the app, or run one of the administration commands.

Every command prints a clear Dutch message and exits non-zero on a problem it knows
about (a busy, newer or misplaced database, a duplicate name); it never shows a
traceback for those. A bug is reported by its type and place only (exit code 70), never
with the error's message, which could hold registered data (see :mod:`balie.crash`).
Every command warns, once, when the database files are readable by more people than
they should be. Textual is imported only when the app itself starts, so the
administration commands start quickly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from balie import __version__
from balie.config import ENV_DB, access_from, os_username, resolve_db_path
from balie.crash import EX_SOFTWARE, crash_hooks, crash_report


class DutchHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help with Dutch headings, matching the rest of the interface."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
        # argparse passes "" when it builds a sub-command's name from this usage.
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


def _dutch(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Dutch section titles and help option for a parser made with ``add_help=False``."""
    parser._positionals.title = "argumenten"
    parser._optionals.title = "opties"
    parser.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    return parser


def _subcommand(group, common: argparse.ArgumentParser, name: str, help: str,
                description: str | None = None) -> argparse.ArgumentParser:
    """A sub-command with Dutch help that also takes the common options (--db)."""
    return _dutch(group.add_parser(name, help=help, description=description or help,
                                   formatter_class=DutchHelpFormatter, parents=[common],
                                   add_help=False))


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PAD",
        default=argparse.SUPPRESS,
        help=f"databasebestand (standaard: ${ENV_DB}, anders de gegevensmap van de gebruiker)",
    )
    parser = _dutch(
        argparse.ArgumentParser(
            prog="balie",
            description=(
                "balie: registratie van vragen aan de balie en de telefoon van "
                "Welzijnswerk Midden-Drenthe.\nZonder commando start de app."
            ),
            formatter_class=DutchHelpFormatter,
            parents=[common],
            add_help=False,
        )
    )
    parser.add_argument("--version", action="version", version=f"balie {__version__}")
    commands = parser.add_subparsers(dest="command", title="commando's", metavar="COMMANDO")

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        return _subcommand(commands, common, name, help, description)

    start = command("start", "start de app (hetzelfde als balie zonder commando)")
    start.add_argument("--login", action="store_true",
                       help="eerst aanmelden met gebruikersnaam en wachtwoord (zoals in de "
                            "browser via balie serve) in plaats van het OS-account")
    start.add_argument("--origin", metavar="HERKOMST", default=None,
                       help="herkomst voor het auditlog bij --login (balie serve geeft "
                            "'web' en het adres van de browser)")

    serve = command(
        "serve",
        "maak balie bruikbaar in een webbrowser (voor balies zonder terminal)",
        "Start een webserver (textual-serve): elke browser krijgt een eigen balie-sessie\n"
        "en meldt zich eerst aan met gebruikersnaam en wachtwoord (zie balie password).\n"
        "Luistert standaard alleen op deze computer (127.0.0.1). Voor andere computers:\n"
        "zet er een reverse proxy met TLS (https) voor en geef --public-url op.",
    )
    serve.add_argument("--host", default="127.0.0.1", metavar="ADRES",
                       help="adres om op te luisteren (standaard 127.0.0.1: alleen deze "
                            "computer)")
    serve.add_argument("--port", type=_port, default=8000, metavar="POORT",
                       help="poort (standaard 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="het adres waarop browsers balie bereiken, zoals de proxy het "
                            "toont (bijv. https://balie.welzijnmd.nl)")
    serve.add_argument("--max-sessions", type=_positive, default=20, metavar="N",
                       help="hoeveel browsersessies tegelijk (standaard 20)")

    password = command(
        "password",
        "stel het wachtwoord in voor aanmelden in de browser (balie serve)",
        "Stelt het wachtwoord van een medewerker in of opnieuw in (beheer; of uw eigen).\n"
        "Het wachtwoord wordt twee keer gevraagd en is niet zichtbaar bij het typen.\n"
        "Een nieuw wachtwoord heft ook een blokkade na te veel mislukte pogingen op.\n"
        "  balie password anna\n"
        "  printf '%s\\n' \"$WACHTWOORD\" | balie password anna --stdin   (in een script)",
    )
    password.add_argument("username", metavar="GEBRUIKERSNAAM")
    password.add_argument("--stdin", action="store_true",
                          help="lees het wachtwoord (één regel) van standaardinvoer, voor "
                               "een script")
    command("info", "toon waar de database staat, de schemaversie en de aantallen")

    demo = command(
        "demo",
        "vul een database met verzonnen, realistische registraties",
        "Vult de database met verzonnen registraties (geen echte namen) tot en met vandaag.\n"
        "Weigert een database met echte registraties; gebruik daarvoor --db.",
    )
    demo.add_argument("--days", type=_positive, default=365, metavar="N",
                      help="aantal dagen terug vanaf vandaag (standaard 365)")
    demo.add_argument("--per-day", type=_positive, default=30, metavar="N",
                      help="gemiddeld aantal vragen per werkdag (standaard 30)")
    demo.add_argument("--seed", type=int, default=None, metavar="N",
                      help="vaste startwaarde, voor steeds dezelfde gegevens")

    backup = command(
        "backup",
        "maak een consistente kopie terwijl andere balies doorwerken",
        "Maakt een consistente kopie van de database (SQLite backup-API), controleert die\n"
        "met integrity_check en schrijft hem pas daarna onder de gegeven naam weg.",
    )
    backup.add_argument("path", metavar="PAD", help="nieuw bestand voor de back-up")

    report = command(
        "report",
        "tel de vragen per dorp, gebied, kanaal, onderwerp of uur en per route",
        "Dezelfde cijfers als het dagoverzicht in de app, voor een periode:\n"
        "  balie report                        vandaag, per dorp\n"
        "  balie report --day gisteren --by area\n"
        "  balie report --month 2024-03 --format csv > maart.csv\n"
        "  balie report --year 2023 --factsheet\n"
        "  balie report --from 1-1-2024 --to 15-1-2024 --by channel\n"
        "  balie report --quarter 2024-Q1 --suppress   (voor extern gebruik)\n"
        "Een datum mag als 12-3, 12-3-2024, 8 maart, 2024-03-12, gisteren of vr.\n"
        "CSV is voor Excel: puntkomma's, UTF-8 met BOM, Nederlandse kopjes.",
    )
    period = report.add_mutually_exclusive_group()
    period.add_argument("--day", metavar="DATUM", help="een dag (standaard vandaag)")
    for flag, name, example in (("--week", "de week", "12-3"), ("--month", "de maand", "2024-03"),
                                ("--quarter", "het kwartaal", "2024-Q1"),
                                ("--year", "het jaar", "2024")):
        period.add_argument(flag, nargs="?", const="", metavar="WANNEER",
                            help=f"{name} waarin WANNEER valt (bijv. {example}; "
                                 "zonder: de huidige)")
    period.add_argument("--from", dest="from_", metavar="DATUM",
                        help="eigen periode vanaf DATUM (met --to)")
    report.add_argument("--to", metavar="DATUM", help="eigen periode tot en met DATUM")
    report.add_argument("--by", choices=("village", "area", "channel", "topic", "hour"),
                        default="village", help="indeling van de regels (standaard village)")
    report.add_argument("--route", action="append", metavar="NAAM",
                        help="alleen deze route (naam of code; mag vaker)")
    report.add_argument("--route-at", choices=("end", "intake"), default="end",
                        help="tel een vraag bij de route die hij nu heeft (end, standaard: na "
                             "doorzetten tussen teams) of waar de balie hem heen stuurde "
                             "(intake)")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="uitvoer (standaard table)")
    report.add_argument("--suppress", action="store_true",
                        help="voor extern gebruik: 1-9 als <10, en genoeg andere cellen "
                             "verborgen (x) dat niets terug te rekenen is; voor een "
                             "afgelopen maand, kwartaal of jaar, per dorp of gebied, alle "
                             "routes of één")
    report.add_argument("--factsheet", action="store_true",
                        help="jaarcijfers per team: totaal, woonplaats, geslacht, leeftijd")
    report.add_argument("--hide-empty", action="store_true",
                        help="regels zonder vragen weglaten")
    report.add_argument("--output", metavar="BESTAND",
                        help="naar een bestand schrijven in plaats van naar het scherm")

    settings = command(
        "settings",
        "toon of wijzig instellingen die alle balies delen",
        "Instellingen staan in de database en gelden voor alle balies:\n"
        "  balie settings                          alle instellingen\n"
        "  balie settings set max-wait-hours 8     te lang wachtend na 8 werkuren\n"
        "  balie settings set office-hours 8:30-17:00",
    )
    setting_actions = settings.add_subparsers(dest="action", title="acties", metavar="ACTIE")
    change = _subcommand(setting_actions, common, "set", "wijzig een instelling")
    from balie.db.settings import ADJUSTABLE

    change.add_argument("name", choices=sorted(ADJUSTABLE), metavar="NAAM",
                        help=", ".join(sorted(ADJUSTABLE)))
    change.add_argument("value", metavar="WAARDE", help="de nieuwe waarde")

    importer = command(
        "import",
        "lees historische registraties in uit een CSV-bestand",
        "Leest oude registraties in. Eerste regel: kolomnamen, in willekeurige volgorde:\n"
        "  datum (dd-mm-jjjj of jjjj-mm-dd), tijd (optioneel, uu:mm), kanaal, dorp, route,\n"
        "  onderwerp (meerdere gescheiden door |), leeftijd, geslacht, omschrijving (optioneel)\n"
        "Puntkomma of komma, UTF-8 met of zonder BOM. Namen zoals in balie ref list (hoofd-\n"
        "letters en accenten tellen niet). Bij één fout wordt niets ingelezen; hetzelfde\n"
        "bestand twee keer inlezen wordt geweigerd.",
    )
    importer.add_argument("file", metavar="BESTAND", help="CSV-bestand")
    importer.add_argument("--dry-run", action="store_true",
                          help="alleen controleren, niets inlezen")

    rules = command(
        "rules",
        "bekijk of vervang de routeringsregels (het voorstel in het formulier)",
        "De routeringsregels staan in de database, zodat alle balies dezelfde gebruiken.\n"
        "  balie rules show > regels.toml     huidige regels (met uitleg) opslaan\n"
        "  balie rules load regels.toml       controleren en in gebruik nemen\n"
        "  balie rules load --check regels.toml   alleen controleren",
    )
    rule_actions = rules.add_subparsers(dest="action", title="acties", metavar="ACTIE",
                                        required=True)
    for name, help in (("show", "toon de regels die in gebruik zijn"),
                       ("load", "controleer een regelbestand en neem het in gebruik")):
        sub = _subcommand(rule_actions, common, name, help)
        if name == "load":
            sub.add_argument("file", metavar="BESTAND", help="TOML-bestand met de regels")
            sub.add_argument("--check", action="store_true",
                             help="alleen controleren, niet in gebruik nemen")

    retention = command(
        "retention",
        "wis de persoonsgegevens van vragen die over hun bewaartermijn zijn (beheer)",
        "Wist naam, telefoon, postcode, terugbelmoment, omschrijving en de toelichtingen in\n"
        "de geschiedenis van afgeronde vragen waarvan de bewaartermijn van hun route voorbij\n"
        "is (balie ref list routes: bewaren_maanden; wijzigen met balie ref set routes NAAM\n"
        "--retention-months N). Een open terugbelverzoek houdt een vraag vast tot het\n"
        "verzoek ook over die termijn is. De cijfers in overzichten blijven gelijk.\n"
        "Werkt in delen van 500 vragen, zodat de balies kunnen doorwerken; afgebroken?\n"
        "Start opnieuw, dan gaat het verder.\n"
        "  balie retention --dry-run     alleen tellen, per route\n"
        "  balie retention               wissen\n"
        "Exitcode 3: gewist, maar het logbestand (-wal) kon nog niet worden geleegd omdat\n"
        "een balie las; voer het later nog eens uit.",
    )
    retention.add_argument("--dry-run", action="store_true",
                           help="alleen tellen wat gewist zou worden, niets wissen")

    person = command(
        "person",
        "inzage- en wisverzoeken van iemand die geregistreerd is (beheer)",
        "Voor het recht op inzage en het recht op vergetelheid (AVG). Zoek eerst alle vragen\n"
        "van de persoon en kijk na dat ze van deze persoon zijn; geef daarna de nummers:\n"
        "  balie person find --phone 06-12345678 --name \"Jan de Vries\"\n"
        "  balie person export --phone 06-12345678 --ids 812,1200 --output inzage.md\n"
        "  balie person erase --phone 06-12345678 --ids 812,1200\n"
        "Telefoon in elke gangbare schrijfwijze; bij een naam moeten alle woorden kloppen\n"
        "(hoofdletters en accenten tellen niet). Het bestand van export is alleen voor u\n"
        "leesbaar en overschrijft nooit een bestaand bestand. Exitcode 3 bij erase: zie\n"
        "balie retention --help.",
    )
    person_actions = person.add_subparsers(dest="action", title="acties", metavar="ACTIE",
                                           required=True)
    for name, help in (("find", "toon de vragen die bij de persoon horen"),
                       ("export", "schrijf alles over de gekozen vragen naar een bestand"),
                       ("erase", "wis de persoonsgegevens in de gekozen vragen")):
        sub = _subcommand(person_actions, common, name, help)
        sub.add_argument("--phone", metavar="NUMMER", help="telefoonnummer")
        sub.add_argument("--name", metavar="NAAM", help="naam (minstens twee woorden)")
        if name == "find":
            continue
        sub.add_argument("--ids", metavar="NUMMERS",
                         help="alleen deze vragen, met komma's (bijv. 812,1200); elk moet "
                              "bij de persoon gevonden zijn" + (
                                  "" if name == "export" else " (of --all)"))
        sub.add_argument("--all", action="store_true",
                         help="alle gevonden vragen" + (
                             " (standaard)" if name == "export" else ""))
        if name == "export":
            sub.add_argument("--output", metavar="BESTAND",
                             help="nieuw bestand voor de inzage (UTF-8, Markdown); verplicht")

    audit = command(
        "audit",
        "toon het auditlog: wie zag of wijzigde welke vraag, wanneer en waarvandaan (beheer)",
        "Het auditlog, nieuwste eerst; filters mogen samen:\n"
        "  balie audit                          de laatste 7 dagen\n"
        "  balie audit --user anna --from 1-11 --to 22-11\n"
        "  balie audit --inquiry 812            alles over vraag 812, hele periode\n"
        "  balie audit --from 1-1-2026 --to 31-3-2026 --format csv --output q1.csv\n"
        "Het inzien van het log wordt zelf ook gelogd.",
    )
    audit.add_argument("--user", metavar="GEBRUIKER", help="alleen wat deze medewerker deed")
    audit.add_argument("--inquiry", type=_positive, metavar="NUMMER",
                       help="alleen wat over deze vraag gelogd is")
    audit.add_argument("--from", dest="from_", metavar="DATUM", help="vanaf deze dag")
    audit.add_argument("--to", metavar="DATUM", help="tot en met deze dag (standaard vandaag)")
    audit.add_argument("--format", choices=("table", "csv"), default="table",
                       help="uitvoer (standaard table)")
    audit.add_argument("--output", metavar="BESTAND",
                       help="naar een nieuw bestand (alleen voor u leesbaar)")

    ref = command(
        "ref",
        "beheer referentiegegevens (dorpen, gebieden, routes, kanalen, ...)",
        "Referentiegegevens bekijken en wijzigen. Soorten: villages (dorpen), areas\n"
        "(gebieden), routes, channels (kanalen), topics (onderwerpen), referrals\n"
        "(verwijsadressen), outcomes (uitkomsten bij afronden), staff (medewerkers).\n"
        "Ingetrokken items blijven in de geschiedenis en overzichten staan, maar worden\n"
        "niet meer aangeboden.",
    )
    actions = ref.add_subparsers(dest="action", title="acties", metavar="ACTIE", required=True)
    from balie.db.reference import KINDS

    kinds = sorted(KINDS)

    def ref_action(name: str, help: str) -> argparse.ArgumentParser:
        sub = _subcommand(actions, common, name, help)
        sub.add_argument("kind", choices=kinds, metavar="SOORT", help=", ".join(kinds))
        return sub

    def attributes(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--area", metavar="GEBIED", help="gebied van een dorp")
        sub.add_argument("--inhabitants", type=int, metavar="N", help="inwoners van een dorp")
        sub.add_argument("--aliases", metavar="WOORDEN",
                         help="extra zoekwoorden van een dorp (bijv. Broekstreek)")
        sub.add_argument("--kind", dest="route_kind", choices=("team", "desk", "external"),
                         help="soort route")
        sub.add_argument("--short-name", metavar="NAAM",
                         help="korte naam van een route (voor smalle kolommen)")
        sub.add_argument("--display-name", metavar="NAAM", help="weergavenaam van een medewerker")
        sub.add_argument("--roles", metavar="ROLLEN",
                         help="rollen van een medewerker, met komma's: balie, team, "
                              "teamleider, beheer (bijv. balie,teamleider)")
        sub.add_argument("--retention-months", type=int, metavar="N",
                         help="bewaartermijn van een route: maanden na afronden dat naam, "
                              "telefoon en vrije tekst bewaard blijven (1-120)")
        sub.add_argument("--team", metavar="ROUTE", help="team van een medewerker")

    ref_action("list", "toon alle items van een soort")
    add = ref_action("add", "voeg een item toe")
    add.add_argument("name", metavar="NAAM", help="naam (bij staff: de gebruikersnaam)")
    attributes(add)
    rename = ref_action("rename", "geef een item een nieuwe naam")
    rename.add_argument("name", metavar="NAAM")
    rename.add_argument("new_name", metavar="NIEUWE_NAAM")
    set_ = ref_action("set", "wijzig eigenschappen van een item")
    set_.add_argument("name", metavar="NAAM")
    attributes(set_)
    retire = ref_action("retire", "trek een item in (niet meer aangeboden)")
    retire.add_argument("name", metavar="NAAM")
    restore = ref_action("restore", "zet een ingetrokken item weer actief")
    restore.add_argument("name", metavar="NAAM")
    return parser


def _numbers(text: str) -> list[int]:
    """Inquiry numbers: ``812,1200`` or ``812 1200``."""
    from balie.domain.parsing import InvalidInput

    words = text.replace(",", " ").split()
    if not words or not all(w.isascii() and w.isdigit() and len(w) < 10 for w in words):
        raise InvalidInput(f"--ids {text!r}: dat zijn geen vraagnummers; geef ze met "
                           "komma's, bijvoorbeeld --ids 812,1200.")
    return [int(w) for w in words]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is geen poortnummer") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("een poort ligt tussen 1 en 65535")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is geen geheel getal") from None
    if value < 1:
        raise argparse.ArgumentTypeError("moet minstens 1 zijn")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    with crash_hooks():
        try:
            return _main(argv)
        except Exception as error:  # a bug: said without its message (it may hold data)
            print(crash_report(error), file=sys.stderr)
            return EX_SOFTWARE


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    path = resolve_db_path(getattr(args, "db", None))
    args.warnings = []
    from balie.db.errors import StoreError

    try:
        if args.command is None:
            return _start(path)  # the app shows the warnings itself
        if args.command == "start":
            if args.origin is not None and not args.login:
                print("balie: --origin hoort bij --login.", file=sys.stderr)
                return 2
            return _start(path, login=args.login, origin=args.origin)
        handler = {"info": _info, "demo": _demo, "backup": _backup, "ref": _ref,
                   "rules": _rules, "report": _report, "import": _import,
                   "settings": _settings, "retention": _retention,
                   "person": _person, "audit": _audit, "serve": _serve,
                   "password": _password}[args.command]
        return handler(path, args)
    except StoreError as error:
        print(f"balie: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("balie: afgebroken.", file=sys.stderr)
        return 130
    finally:
        if args.command not in (None, "start"):
            _print_warnings(path, args.warnings)


def _print_warnings(path: Path, extra: list[str]) -> None:
    """Every command says, once, when the database files are open to too many people."""
    from balie.db.permissions import file_warnings

    found = (file_warnings(path, access_from()) if path.exists() else []) + extra
    for warning in dict.fromkeys(found):
        print(f"balie: let op: {warning}", file=sys.stderr)


def _start(path: Path, *, login: bool = False, origin: str | None = None) -> int:
    from balie.app import make_app

    app = make_app(path, login=login, origin=origin)
    app.run()
    return app.return_code or 0


def _serve(path: Path, args: argparse.Namespace) -> int:
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
                         public_url=args.public_url, max_sessions=args.max_sessions)
    try:
        server.serve()
    except OSError as error:
        print(f"balie: kan niet luisteren op {args.host}:{args.port}: "
              f"{error.strerror or error}. Is de poort al in gebruik? Kies een andere "
              "met --port.", file=sys.stderr)
        return 1
    return 0


def _password(path: Path, args: argparse.Namespace) -> int:
    import os

    from balie.db import open_database
    from balie.db.login import check_password_change, set_password
    from balie.domain.passwords import password_problem
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        actor = _sign_in(db)
        account = check_password_change(db, actor, args.username)  # refused before typing
        if args.stdin and sys.stdin is not None:
            password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        elif os.environ.get("CI") or sys.stdin is None or not sys.stdin.isatty():
            print("balie: geen terminal om het wachtwoord onzichtbaar te typen. Gebruik "
                  "--stdin om het uit een script door te geven.", file=sys.stderr)
            return 2
        else:
            import getpass

            password = getpass.getpass(f"Nieuw wachtwoord voor {account.username}: ")
            problem = password_problem(password)
            if problem is not None:
                print(f"balie: {problem} Er is niets gewijzigd.", file=sys.stderr)
                return 2
            if getpass.getpass("Nog een keer, ter controle: ") != password:
                print("balie: de twee wachtwoorden zijn niet gelijk; er is niets gewijzigd.",
                      file=sys.stderr)
                return 2
        set_password(db, actor, account.username, password, utc_now())
    print(f"Wachtwoord van {account.username} ingesteld. Aanmelden in de browser kan nu "
          "(balie serve).")
    return 0


def _info(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.migrations import applied_names
    from balie.db.settings import is_demo

    with open_database(path, create=False) as db:
        applied = applied_names(db)
        (count,) = db.execute("SELECT count(*) FROM inquiry").fetchone()
        size = sum(
            p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()
        )
        print(f"database:     {path}")
        print(f"grootte:      {size / 1_048_576:.1f} MB")
        print(f"schema:       {applied[-1] if applied else '-'} ({len(applied)} migraties)")
        print(f"registraties: {count}{' (demo)' if is_demo(db) else ''}")
        print(f"medewerker:   {os_username()}")
    print(f"rechten:      {_modes(path)}")
    return 0


def _modes(path: Path) -> str:
    """ "600 (database), 700 (map)", and whether that is right for this server."""
    import stat

    from balie.db.permissions import file_warnings

    shown = []
    for file, label in ((path, "database"), (Path(f"{path}-wal"), "wal"),
                        (Path(f"{path}-shm"), "shm"), (path.absolute().parent, "map")):
        if file.exists():
            shown.append(f"{stat.S_IMODE(file.stat().st_mode):o} ({label})")
    access = access_from()
    verdict = "niet in orde, zie hieronder" if file_warnings(path, access) else "in orde"
    group = f", groep {access.group}" if access.group else ""
    return f"{', '.join(shown)}{group}: {verdict}"


def _audit(path: Path, args: argparse.Namespace) -> int:
    import csv
    import io

    from balie.db import open_database
    from balie.db.auditlog import audit_rows
    from balie.db.reference import load_reference
    from balie.domain.parsing import InvalidInput, parse_day
    from balie.domain.timekeeping import local, local_day, local_days_span, utc_now
    from balie.domain.wording import audit_detail

    now = utc_now()
    today = local_day(now)
    try:
        last = parse_day(args.to, today) if args.to else today
        if args.from_:
            first = parse_day(args.from_, today)
        else:  # one inquiry or one person: everything, unless a period is asked for
            first = None if (args.inquiry or args.user) and not args.to \
                else last - timedelta(days=6)
        if first is not None and last < first:
            raise InvalidInput("--to ligt vóór --from.")
    except InvalidInput as error:
        print(f"balie: {error.message}", file=sys.stderr)
        return 2
    with open_database(path, create=False) as db:
        rows = audit_rows(db, _sign_in(db), now, username=args.user, inquiry_id=args.inquiry,
                          span=local_days_span(first, last) if first else None, limit=None)
        reference = load_reference(db)
    header = ["tijd", "medewerker", "wat", "nummer", "waarvandaan", "toelichting"]
    lines = [[f"{local(r.at):%Y-%m-%d %H:%M:%S}", r.username or "", r.action_label,
              str(r.inquiry_id or ""), r.origin or "",
              audit_detail(r.action, r.detail, reference)] for r in rows]
    if args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerows([header, *lines])
        text = buffer.getvalue()
    else:
        text = _rows_text([dict(zip(header, line)) for line in lines]) if lines else \
            "(geen regels)\n"
    if not args.output:
        sys.stdout.write(text)
        return 0
    from balie.db.subject import write_new_private_file

    write_new_private_file(Path(args.output), text,
                           encoding="utf-8-sig" if args.format == "csv" else "utf-8")
    print(f"{len(lines)} regels geschreven naar {args.output}", file=sys.stderr)
    return 0


def _settings(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.settings import ADJUSTABLE, adjust_setting, get_setting
    from balie.domain.parsing import InvalidInput
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        if args.action == "set":
            try:
                adjust_setting(db, _sign_in(db), args.name, args.value, utc_now())
            except InvalidInput as error:
                print(f"balie: {args.name}: {error.message}", file=sys.stderr)
                return 2
        for name, (key, _, default, description) in sorted(ADJUSTABLE.items()):
            value = get_setting(db, key, default)
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            print(f"{name:<16} {shown:<12} {description}")
    return 0


def _demo(path: Path, args: argparse.Namespace) -> int:
    import time

    from balie.db import open_database
    from balie.db.demo import fill_demo
    from balie.domain.timekeeping import local_day, utc_now

    if getattr(args, "db", None) is None:
        print("balie: geef bij demo altijd --db PAD op: verzonnen gegevens horen nooit in "
              "de database van de balie terecht te komen.", file=sys.stderr)
        return 2
    now = utc_now()
    last = local_day(now)
    first = last - timedelta(days=args.days - 1)
    started = time.perf_counter()
    with open_database(path, access=access_from()) as db:
        result = fill_demo(
            db, first, last, args.per_day, now, seed=args.seed,
            progress=lambda n: print(f"  {n:,} registraties ...".replace(",", "."),
                                     file=sys.stderr),
        )
    took = time.perf_counter() - started
    print(
        f"{result.inquiries:,}".replace(",", ".")
        + f" verzonnen registraties van {first:%d-%m-%Y} t/m {last:%d-%m-%Y} "
        f"toegevoegd aan {path} in {took:.1f} s."
    )
    return 0


def _backup(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.backup import backup
    from balie.db.permissions import folder_warnings
    from balie.domain.timekeeping import utc_now

    access = access_from()
    with open_database(path, create=False) as db:
        target = backup(db, _sign_in(db), Path(args.path), utc_now(), access)
    print(f"Back-up gemaakt en gecontroleerd: {target}")
    args.warnings += folder_warnings(target.parent, access)
    return 0


def _report(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.reference import load_reference
    from balie.db.reports import factsheets, report
    from balie.domain import report_output as out
    from balie.domain.parsing import InvalidInput, parse_day
    from balie.domain.periods import Period, in_calendar, parse_period
    from balie.domain.text import fold
    from balie.domain.timekeeping import local_day, utc_now

    today = local_day(utc_now())
    try:
        if args.from_ or args.to:
            if not (args.from_ and args.to):
                raise InvalidInput("Geef bij een eigen periode zowel --from als --to.")
            first = parse_day(args.from_, today)
            last = parse_day(args.to, today)
            if last < first:
                raise InvalidInput("--to ligt vóór --from.")
            period = in_calendar(Period("range", first, last))
        else:
            kind, text = next(
                ((kind, getattr(args, kind)) for kind in ("week", "month", "quarter", "year")
                 if getattr(args, kind) is not None),
                ("year" if args.factsheet else "day", args.day),
            )
            period = parse_period(kind, text, today)
        if args.suppress:
            out.check_publishable(period, "village" if args.factsheet else args.by,
                                  routes=0 if args.factsheet else len(set(args.route or ())),
                                  today=today)
    except InvalidInput as error:
        print(f"balie: {error.message}", file=sys.stderr)
        return 2
    with open_database(path, create=False) as db:
        actor = _sign_in(db)
        reference = load_reference(db)
        codes = None
        if args.route:
            codes = []
            for name in args.route:
                route = next((r for r in reference.routes.all
                              if fold(r.name) == fold(name) or r.code == name), None)
                if route is None:
                    known = ", ".join(r.name for r in reference.routes.all)
                    print(f"balie: onbekende route {name!r}; kies uit: {known}.",
                          file=sys.stderr)
                    return 2
                codes.append(route.code)
            codes = tuple(codes)
        if args.factsheet:
            sheets = factsheets(db, actor, reference, period, codes, now=utc_now())
            # Suppressed, a factsheet hides what the village table of its year hides.
            village = report(db, actor, reference, period, "village", now=utc_now()) \
                if args.suppress else None
            text = out.factsheets_as(sheets, args.format, village=village)
        else:
            result = report(db, actor, reference, period, args.by, route_codes=codes,
                            now=utc_now(),
                            include_empty=not args.hide_empty, route_basis=args.route_at)
            render = {"table": out.to_table, "csv": out.to_csv, "json": out.to_json}
            text = render[args.format](result, suppressed=args.suppress)
        from balie.db.access import audit

        audit(db, actor, "export", utc_now(),
              detail=f"{'factsheets' if args.factsheet else 'rapport ' + args.by} "
                     f"{period.first:%d-%m-%Y} t/m {period.last:%d-%m-%Y} "
                     f"({'AVG' if args.suppress else 'intern'}) naar {args.output or 'scherm'}")
    encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding=encoding, newline="")
        except OSError as error:
            print(f"balie: kan {args.output} niet schrijven: {error.strerror or error}.",
                  file=sys.stderr)
            return 1
        print(f"Geschreven naar {args.output}", file=sys.stderr)
    elif args.format == "csv":
        sys.stdout.buffer.write(text.encode(encoding))
        sys.stdout.flush()
    else:
        sys.stdout.write(text)
    return 0


def _import(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.importing import already_imported_message, previous_import, store_import
    from balie.db.reference import load_reference
    from balie.domain.importing import read_import
    from balie.domain.timekeeping import utc_now

    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        print(f"balie: {source} is geen UTF-8; sla het in Excel op als 'CSV UTF-8'.",
              file=sys.stderr)
        return 1
    except OSError as error:
        print(f"balie: kan {source} niet lezen: {error.strerror or error}.", file=sys.stderr)
        return 1
    now = utc_now()
    with open_database(path, create=False) as db:
        checked = read_import(text, load_reference(db), now)
        if checked.problems:
            print(f"balie: {source} is niet ingelezen; verbeter deze regels:", file=sys.stderr)
            for problem in checked.problems:
                print(f"  {problem}", file=sys.stderr)
            if len(checked.problems) >= 200:
                print("  (en mogelijk meer; na 200 meldingen gestopt)", file=sys.stderr)
            return 1
        earlier = previous_import(db, checked)
        if earlier is not None:
            print(f"balie: {already_imported_message(earlier)}", file=sys.stderr)
            return 1
        count = len(checked.rows)
        if args.dry_run:
            print(f"{source} is in orde: {count} registraties. Niets ingelezen (--dry-run).")
            return 0
        batch = store_import(db, checked, source.name, _sign_in(db), now)
    print(f"{count} registraties uit {source} ingelezen (import {batch.id}).")
    return 0


def _rules(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.reference import load_reference
    from balie.db.rules import active_rules, store_rules
    from balie.domain.routing import InvalidRules, parse_rules
    from balie.domain.timekeeping import local, utc_now

    with open_database(path, create=False) as db:
        if args.action == "show":
            version = active_rules(db)
            print(f"# versie {version.id}, in gebruik sinds "
                  f"{local(version.loaded_at):%d-%m-%Y %H:%M} (door {version.loaded_by})")
            print(version.body, end="" if version.body.endswith("\n") else "\n")
            return 0
        try:
            body = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            print(f"balie: kan {args.file} niet lezen: {error}", file=sys.stderr)
            return 1
        try:
            if args.check:
                rules = parse_rules(body, load_reference(db))
                print(f"{args.file} is in orde: {len(rules.rules)} regels, "
                      f"{len(rules.urgent)} spoedregels. (Niet in gebruik genomen.)")
                return 0
            version = store_rules(db, _sign_in(db), body, utc_now())
        except InvalidRules as error:
            print(f"balie: {args.file} is niet in gebruik genomen:", file=sys.stderr)
            for problem in error.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        print(f"Regels uit {args.file} in gebruik genomen als versie {version}. "
              "Open formulieren gebruiken ze na een herstart van balie.")
    return 0


def _ref(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db import reference as refdb

    kind = refdb.KINDS[args.kind]
    with open_database(path, create=False) as db:
        actor = _sign_in(db)
        if args.action == "list":
            _print_rows(refdb.list_entries(db, kind))
            return 0
        attrs = {
            key: value
            for key, value in {
                "area": getattr(args, "area", None),
                "inhabitants": getattr(args, "inhabitants", None),
                "aliases": getattr(args, "aliases", None),
                "kind": getattr(args, "route_kind", None),
                "short_name": getattr(args, "short_name", None),
                "display_name": getattr(args, "display_name", None),
                "roles": getattr(args, "roles", None),
                "retention_months": getattr(args, "retention_months", None),
                "team": getattr(args, "team", None),
            }.items()
            if value is not None
        }
        if args.action == "add":
            refdb.add_entry(db, actor, kind, args.name, **attrs)
            print(f"{kind.label.capitalize()} {args.name!r} toegevoegd.")
        elif args.action == "rename":
            refdb.rename_entry(db, actor, kind, args.name, args.new_name)
            print(f"{kind.label.capitalize()} {args.name!r} heet nu {args.new_name!r}.")
        elif args.action == "set":
            if not attrs:
                print("balie: geef op wat er moet veranderen (zie --help).", file=sys.stderr)
                return 2
            refdb.update_entry(db, actor, kind, args.name, **attrs)
            print(f"{kind.label.capitalize()} {args.name!r} gewijzigd.")
        elif args.action in ("retire", "restore"):
            refdb.set_retired(db, actor, kind, args.name, args.action == "retire")
            state = "ingetrokken" if args.action == "retire" else "weer actief"
            print(f"{kind.label.capitalize()} {args.name!r} is {state}.")
    return 0


def _retention(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.retention import apply_retention, due_by_route
    from balie.domain.retention import inquiries
    from balie.domain.timekeeping import utc_now

    now = utc_now()
    with open_database(path, create=False) as db:
        actor = _sign_in(db)
        if args.dry_run:
            due = due_by_route(db, actor, now)
            width = max(len(d.route) for d in due)
            for d in due:
                print(f"{d.route:<{width}}  {d.months:>3} maanden  {inquiries(d.count)}")
            total = sum(d.count for d in due)
            print(f"Samen {inquiries(total)} over de bewaartermijn. Niets gewist (--dry-run).")
            return 0

        def progress(done: int) -> None:
            if done % 10_000 == 0:
                print(f"  {inquiries(done)} gewist ...", file=sys.stderr)

        run = apply_retention(db, actor, now, progress=progress)
    if run.erased == 0:
        print("Geen vragen over de bewaartermijn; er is niets gewist.")
    else:
        print(f"Persoonsgegevens van {inquiries(run.erased)} gewist (bewaartermijn). "
              "De cijfers in de overzichten zijn gelijk gebleven.")
    if run.erased or not run.purge.complete:
        print(run.purge.message())
    return 0 if run.purge.complete else 3


def _person(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.subject import PersonQuery, erase_person, export_person, find_person
    from balie.domain.parsing import InvalidInput, format_phone
    from balie.domain.retention import inquiries, number_ranges
    from balie.domain.timekeeping import local, utc_now

    query = PersonQuery(args.phone, args.name)
    ids = None
    try:
        query.parsed()
        if args.action != "find":
            if args.ids is not None and args.all:
                raise InvalidInput("Geef --ids of --all, niet allebei.")
            if args.ids is not None:
                ids = _numbers(args.ids)
            elif args.action == "erase" and not args.all:
                raise InvalidInput(
                    "Geef met --ids de nummers die bij deze persoon horen (zie balie person "
                    "find), of --all als alle gevonden vragen van deze persoon zijn.")
        if args.action == "export" and not args.output:
            raise InvalidInput("Geef met --output het nieuwe bestand voor de inzage op.")
    except InvalidInput as error:
        print(f"balie: {error.message}", file=sys.stderr)
        return 2
    with open_database(path, create=False) as db:
        actor = _sign_in(db)
        if args.action == "find":
            matches = find_person(db, actor, query, utc_now())
            _print_rows([{
                "nummer": m.id, "datum": f"{local(m.registered_at):%d-%m-%Y}",
                "dorp": m.village, "route": m.route, "status": m.status,
                "gevonden op": m.basis, "naam": m.person_name,
                "telefoon": format_phone(m.phone), "postcode": m.postcode,
            } for m in matches])
            print(f"\n{inquiries(len(matches))} gevonden met {query.describe()}. Kijk na "
                  "welke van deze persoon zijn en geef die met --ids aan export of erase.")
            return 0
        if args.action == "export":
            done = export_person(db, actor, query, Path(args.output), utc_now(), ids=ids)
            print(f"Inzage van {inquiries(len(done.ids))} (nummer "
                  f"{number_ranges(done.ids)}) geschreven naar {done.path} (alleen voor u "
                  "leesbaar). Geef het bestand veilig aan de persoon en verwijder uw kopie "
                  "daarna.")
            return 0
        erased = erase_person(db, actor, query, utc_now(), ids=ids)
    print(f"Persoonsgegevens gewist in {inquiries(len(erased.ids))} (nummer "
          f"{number_ranges(erased.ids)}); de cijfers in de overzichten blijven gelijk.")
    print(erased.purge.message())
    return 0 if erased.purge.complete else 3


def _sign_in(db) -> object:
    """The Actor of the OS account running this command (refused if not staff)."""
    import socket

    from balie.db.access import owns_file, sign_in
    from balie.domain.timekeeping import utc_now

    _, actor = sign_in(db, os_username(), f"{socket.gethostname()} cli", utc_now(),
                       owns_file=owns_file(db.path))
    return actor


def _print_rows(rows: list[dict]) -> None:
    sys.stdout.write(_rows_text(rows) if rows else "(geen)\n")


def _rows_text(rows: list[dict]) -> str:
    """Rows as aligned columns under their names."""
    headers = list(rows[0])
    cells = [[_cell(row[h]) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip() for c in cells]
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    return "" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())
