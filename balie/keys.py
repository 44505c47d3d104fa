"""The key bindings of balie as data, for the organisation's keymap (``balie keys``).

Every binding with an id, of the app (``app.*``, on every screen) and of each screen
(``intake.*``, ``overview.*``, ...), read from the bindings themselves so the list is
never out of date. The checks are in :mod:`balie.domain.keymap`.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

from balie.domain.keymap import KeyEntry, browser_first, check_keymap, effective


def catalog(*, everywhere: bool = True) -> list[KeyEntry]:
    """Every binding of balie that has an id, app-wide ones first; without
    ``everywhere`` only the app's and the form's (the screens loaded at start)."""
    from balie.app import BalieApp
    from balie.screens.intake import IntakeScreen

    owners: list = [BalieApp, IntakeScreen]
    if everywhere:  # the other screens are imported when first opened
        from balie.screens.audit import AuditScreen
        from balie.screens.callbacks import CallbacksScreen
        from balie.screens.directory import DirectoryScreen
        from balie.screens.inbox import InboxScreen
        from balie.screens.overview import OverviewScreen

        owners += [OverviewScreen, InboxScreen, CallbacksScreen, AuditScreen, DirectoryScreen]
    entries = []
    for owner in owners:
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                entries.append(KeyEntry(binding.id, binding.key, binding.id.split(".")[0],
                                        binding.description))
    return entries


def usable_keymap(stored: Mapping[str, str], *, browser: bool) -> dict[str, str]:
    """The keymap an app applies: the organisation's (when it still fits the bindings
    there are: an id a new version dropped is left out; a clash keeps the defaults),
    with, in a browser session, a key the browser lets through first.

    Without a keymap of the organisation only the app's and the form's keys can change
    (in a browser): the other screens are not imported for it, so the start stays as
    quick as it was."""
    if not stored and not browser:
        return {}
    entries = catalog(everywhere=bool(stored))
    known = {entry.id for entry in entries}
    keymap = {binding_id: keys for binding_id, keys in stored.items()
              if binding_id in known and isinstance(keys, str)}
    if check_keymap(entries, keymap):
        keymap = {}
    if browser:
        keymap = browser_first(entries, keymap)
    # Every id, changed or not: Textual moves a binding it remaps behind the others, and
    # the footer shows them in that order; remapping all of them keeps balie's order.
    return effective(entries, keymap)
