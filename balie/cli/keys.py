"""``balie keys``: which key does what, for all desks, changed without a code change."""

from __future__ import annotations

import argparse
from pathlib import Path

from balie.cli.common import Commands, fail, print_rows, sign_in


def register(commands: Commands) -> None:
    keys = commands.add(
        "keys",
        "toon of wijzig de toetsen van de app (voor alle balies)",
        "Elke toets van de app heeft een id. Beheer kan een actie andere toetsen geven;\n"
        "alle balies gebruiken ze bij hun volgende start:\n"
        "  balie keys                              alle toetsen, met id en wat ze doen\n"
        "  balie keys set app.new f8,ctrl+n        Nieuw: F8, en Ctrl+N\n"
        "  balie keys reset app.new                weer de standaardtoetsen\n"
        "Een toets is een letter, cijfer, f1 t/m f24, escape, enter, tab, space of een\n"
        "pijltje, eventueel met ctrl+, alt+ of shift+. De eerste toets staat onderin\n"
        "beeld; in een browser de eerste die de browser doorlaat (Ctrl+N, Ctrl+T, Ctrl+W\n"
        "en Ctrl+Q houdt de browser zelf).",
        run=run,
    )
    actions = commands.actions(keys, required=False)
    change = actions.add("set", "geef een actie andere toetsen")
    change.add_argument("binding", metavar="ID", help="het id van de toets, zoals app.new")
    change.add_argument("keys", metavar="TOETSEN",
                        help="één of meer toetsen met komma's ertussen, zoals f8,ctrl+n")
    reset = actions.add("reset", "weer de standaardtoetsen")
    reset.add_argument("binding", metavar="ID", nargs="?", help="het id (zonder: alle)")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.settings import keymap_setting, set_keymap
    from balie.domain.keymap import browser_warnings, check_keymap, effective, parse_keys
    from balie.domain.parsing import InvalidInput
    from balie.domain.timekeeping import utc_now
    from balie.keys import catalog

    entries = catalog()
    with open_database(path, create=False) as db:
        keymap = keymap_setting(db)
        if args.action in ("set", "reset"):
            known = {entry.id for entry in entries}
            if args.binding is not None and args.binding not in known:
                return fail(f"{args.binding} bestaat niet; 'balie keys' toont alle toetsen "
                            "en hun id.", 2)
            if args.action == "set":
                try:
                    keys = parse_keys(args.keys)
                except InvalidInput as error:
                    return fail(f"{args.binding}: {error.message}", 2)
                changed = {**keymap, args.binding: keys}
                detail = f"{args.binding} = {keys}"
            else:
                changed = {k: v for k, v in keymap.items()
                           if args.binding is not None and k != args.binding}
                detail = f"{args.binding or 'alle'} standaard"
            # Defaults are not stored: a later version's defaults then apply.
            defaults = {entry.id: entry.keys for entry in entries}
            changed = {k: v for k, v in changed.items() if defaults.get(k) != v}
            problems = check_keymap(entries, changed)
            if problems:
                return fail("niet gewijzigd:\n" + "\n".join(f"  - {p}" for p in problems), 2)
            set_keymap(db, sign_in(db), changed, utc_now(), detail)
            keymap = changed
            for warning in browser_warnings(entries, keymap):
                print(f"balie: let op: {warning}")
            print("Gewijzigd; de balies gebruiken de toetsen bij hun volgende start.")
    now = effective(entries, keymap)
    print_rows([{"id": entry.id, "toetsen": now[entry.id],
                 "standaard": "" if now[entry.id] == entry.keys else entry.keys,
                 "wat": entry.description} for entry in entries])
    return 0
