"""The organisation's keys: which key does what, changed without a code change.

Every key binding of balie has an id ("app.new", "intake.route"). Beheer may give an
id other keys (``balie keys set app.new f8,ctrl+n``); all desks then use them. This
module checks such a change against the bindings there are (passed in as
:class:`KeyEntry`, so that it needs no user interface): the id must exist, every key
must be one a terminal can send, and no key may do two things on one screen (a key of
the whole app counts on every screen). Keys a browser keeps for itself are allowed, but
an action that has only such keys is said to be out of reach in ``balie serve``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from balie.domain.parsing import InvalidInput

APP_SCOPE = "app"
"""The scope of the bindings that work on every screen."""
MODIFIERS = ("ctrl", "alt", "shift")
TYPING_SCOPES = (APP_SCOPE, "intake")
"""Where a letter, digit or space is text typed into a field, never a key for an action."""
NAMED_KEYS = frozenset({
    *(f"f{n}" for n in range(1, 25)), "escape", "enter", "tab", "space", "backspace",
    "delete", "insert", "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
})
SAME_AS = {"ctrl+i": "Tab", "ctrl+m": "Enter", "ctrl+h": "Backspace", "ctrl+j": "Enter"}
"""Keys a terminal sends exactly like another key: balie cannot tell them apart."""
BROWSER_KEEPS = frozenset({
    "ctrl+n", "ctrl+t", "ctrl+w", "ctrl+q", "ctrl+shift+n", "ctrl+shift+t", "ctrl+shift+w",
    "ctrl+shift+q", "ctrl+tab", "ctrl+shift+tab", "ctrl+pageup", "ctrl+pagedown", "f11",
})
"""Keys that Chrome, Edge or Firefox keep for themselves (new window, new tab, close
tab, quit, switch tab, full screen): in ``balie serve`` they never reach balie."""


@dataclass(frozen=True)
class KeyEntry:
    """One key binding of balie: its id, keys, where it works and what it does."""

    id: str
    keys: str
    """Textual's key names, comma-separated: "ctrl+n,f8"."""
    scope: str
    """:data:`APP_SCOPE`, or the screen it belongs to ("intake", "overview", ...)."""
    description: str


def key_list(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def normalise_key(typed: str) -> str:
    """One key as typed ("Ctrl+N", "F8", "alt + t", "esc") in Textual's spelling
    ("ctrl+n"); InvalidInput for what no terminal can send."""
    parts = [part.strip().lower() for part in typed.split("+")]
    if not typed.strip() or any(not part for part in parts):
        raise InvalidInput(f"'{typed}' is geen toets; bijvoorbeeld f8, ctrl+n of alt+t.")
    *modifiers, key = parts
    key = {"esc": "escape", "return": "enter", "spatie": "space", "pgup": "pageup",
           "pgdn": "pagedown", "del": "delete", "ins": "insert"}.get(key, key)
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        raise InvalidInput(f"'{typed}': {unknown[0]} is geen toets om mee te combineren; "
                           "gebruik ctrl, alt of shift.")
    if len(set(modifiers)) != len(modifiers):
        raise InvalidInput(f"'{typed}' noemt een toets twee keer.")
    if not (key in NAMED_KEYS or re.fullmatch(r"[a-z0-9]", key)):
        raise InvalidInput(f"'{typed}': {key} is geen toets; een letter, cijfer, f1 t/m f24, "
                           "escape, enter, tab, space of een pijltje.")
    ordered = [m for m in MODIFIERS if m in modifiers] + [key]
    name = "+".join(ordered)
    if name in SAME_AS:
        raise InvalidInput(f"'{typed}' komt bij balie aan als {SAME_AS[name]}: een terminal "
                           "stuurt ze hetzelfde. Kies een andere toets.")
    if "shift" in modifiers and len(key) == 1 and not {"ctrl", "alt"} & set(modifiers):
        raise InvalidInput(f"'{typed}': shift met een letter is een hoofdletter; kies "
                           "bijvoorbeeld ctrl of alt erbij.")
    return name


def parse_keys(text: str) -> str:
    """Several keys, comma-separated ("F8, Ctrl+N"), as Textual writes them."""
    keys = [normalise_key(part) for part in text.split(",")]
    if len(set(keys)) != len(keys):
        raise InvalidInput(f"'{text}' noemt een toets twee keer.")
    return ",".join(keys)


def effective(entries: Iterable[KeyEntry], keymap: Mapping[str, str]) -> dict[str, str]:
    """id -> the keys that work: the keymap's, else the binding's own."""
    return {entry.id: keymap.get(entry.id, entry.keys) for entry in entries}


def check_keymap(entries: list[KeyEntry], keymap: Mapping[str, str]) -> list[str]:
    """Every problem of this keymap, in Dutch (none: it may be used)."""
    known = {entry.id: entry for entry in entries}
    problems = [f"{binding_id} bestaat niet; 'balie keys' toont alle toetsen en hun id."
                for binding_id in keymap if binding_id not in known]
    if problems:
        return problems
    keys = effective(entries, keymap)
    for binding_id in keymap:
        entry = known[binding_id]
        typed = [key for key in key_list(keys[binding_id]) if len(key) == 1 or key == "space"]
        if typed and entry.scope in TYPING_SCOPES:
            problems.append(f"{typed[0]} voor {entry.description} ({binding_id}): in het "
                            "formulier is dat gewoon tekst. Kies een toets met ctrl of alt, "
                            "of een F-toets.")
    for key, users in _users(entries, keys).items():
        for scope in {known[u].scope for u in users} - {APP_SCOPE}:
            here = [u for u in users if known[u].scope in (scope, APP_SCOPE)]
            if len(here) > 1:
                problems.append(_clash(key, here, known))
        app_wide = [u for u in users if known[u].scope == APP_SCOPE]
        if len(app_wide) > 1:
            problems.append(_clash(key, app_wide, known))
    return list(dict.fromkeys(problems))


def browser_warnings(entries: list[KeyEntry], keymap: Mapping[str, str]) -> list[str]:
    """Actions that a browser session (balie serve) cannot reach by any key."""
    keys = effective(entries, keymap)
    return [f"{entry.description} ({entry.id}) heeft in een browser geen toets: "
            f"{', '.join(key_list(keys[entry.id]))} houdt de browser zelf. Geef er een "
            f"tweede toets bij, bijvoorbeeld een F-toets."
            for entry in entries if entry.id in keymap
            and all(key in BROWSER_KEEPS for key in key_list(keys[entry.id]))]


def browser_first(entries: list[KeyEntry], keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap of a browser session: of every action whose first key the browser
    keeps, a key that reaches balie first (the footer shows the first key)."""
    result = dict(keymap)
    for entry, keys in zip(entries, effective(entries, keymap).values()):
        listed = key_list(keys)
        if listed and listed[0] in BROWSER_KEEPS:
            reachable = [key for key in listed if key not in BROWSER_KEEPS]
            if reachable:
                result[entry.id] = ",".join(reachable + [k for k in listed if k in BROWSER_KEEPS])
    return result


def _users(entries: list[KeyEntry], keys: Mapping[str, str]) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for entry in entries:
        for key in key_list(keys[entry.id]):
            users.setdefault(key, []).append(entry.id)
    return users


def _clash(key: str, ids: list[str], known: Mapping[str, KeyEntry]) -> str:
    what = " en ".join(f"{known[i].description} ({i})" for i in ids)
    return f"De toets {key} doet dan twee dingen op één scherm: {what}."
