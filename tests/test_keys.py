"""Keys that reach balie in a browser, and the organisation's own keys (``balie keys``).

Chrome, Edge and Firefox keep Ctrl+N, Ctrl+T and Ctrl+W (Firefox also Ctrl+Q), so in
``balie serve`` Nieuw and Route had no key. Now they also have F8 and F9, which the
footer of a browser session shows; beheer can give any action other keys for all desks.
"""

from __future__ import annotations

import pytest

from balie.app import make_app
from balie.cli import main
from balie.db import open_database
from balie.db.settings import KEYMAP, keymap_setting, set_setting
from balie.domain.keymap import BROWSER_KEEPS, check_keymap, parse_keys
from balie.domain.parsing import InvalidInput
from balie.keys import catalog
from balie.screens.help import HelpScreen
from balie.screens.intake import IntakeScreen
from tests.conftest import FROZEN_NOW, member
from tests.screen_reading import screen_lines
from tests.test_login_screen import PASSWORDS, log_in
from tests.test_login_screen import db_path as login_db_path
from tests.test_login_screen import staffed_db as staffed_fixture
from tests.test_snapshots import ready

staffed_db = staffed_fixture
browser_db = pytest.fixture(login_db_path.__wrapped__, name="browser_db")
SIZE = (80, 24)


def footer(app) -> str:
    return screen_lines(app)[-1]


async def test_a_browser_session_offers_keys_the_browser_lets_through(browser_db):
    app = make_app(browser_db, login=True, clock=lambda: FROZEN_NOW, origin="web 192.0.2.7")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await log_in(pilot, "anna", PASSWORDS["anna"])
        await ready(pilot)
        assert isinstance(app.screen, IntakeScreen)
        shown = footer(app)
        assert "F8 Nieuw" in shown and "F9 Route" in shown
        assert "^n" not in shown and "^t" not in shown and "^q" not in shown
        await pilot.press("f9")  # Route: the route choice takes the focus
        await ready(pilot)
        assert app.focused.id == "route"
        await pilot.press("f1")
        await ready(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app))
        assert "F8, Ctrl+N" in text and "F9, Ctrl+T" in text


async def test_a_terminal_keeps_ctrl_and_takes_the_f_keys_too(db_path):
    with open_database(db_path) as db:
        member(db, "desk", roles=("balie",))
    app = make_app(db_path, username="desk", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "^n Nieuw" in footer(app) and "^t Route" in footer(app)
        await pilot.press("f9")
        await ready(pilot)
        assert app.focused.id == "route"


async def test_the_organisations_keys_apply_at_every_desk(db_path):
    with open_database(db_path) as db:
        member(db, "desk", roles=("balie",))
        set_setting(db, KEYMAP, {"app.new": "alt+n,ctrl+n", "intake.accept": "alt+v"},
                    FROZEN_NOW)
    app = make_app(db_path, username="desk", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "Alt+n Nieuw" in footer(app) and "Alt+v Voorstel" in footer(app)
        titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert titles["Nieuw"].endswith("toets\u00a0Alt+N, Ctrl+N")
        assert titles["Voorstel"].endswith("toets\u00a0Alt+V")


async def test_a_stored_keymap_that_no_longer_fits_is_not_applied(db_path):
    """A keymap that clashes (edited by hand, or from an older version) leaves the
    defaults in place rather than two actions on one key."""
    with open_database(db_path) as db:
        member(db, "desk", roles=("balie",))
        set_setting(db, KEYMAP, {"app.new": "f2", "gone.away": "f6"}, FROZEN_NOW)
    app = make_app(db_path, username="desk", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "^n Nieuw" in footer(app) and "F2 Nieuw" not in footer(app)


@pytest.mark.parametrize(("typed", "says"), [
    ("ctrl+i", "komt bij balie aan als Tab"), ("hyper+x", "hyper is geen toets"),
    ("ctrl+ü", "is geen toets"), ("", "is geen toets"), ("f8,f8", "twee keer"),
    ("shift+a", "hoofdletter"),
])
def test_keys_that_cannot_work_are_refused_in_dutch(typed, says):
    with pytest.raises(InvalidInput, match=says):
        parse_keys(typed)


def test_keys_are_written_as_textual_writes_them():
    assert parse_keys("F8, Ctrl+N") == "f8,ctrl+n"
    assert parse_keys("shift+ctrl+Esc") == "ctrl+shift+escape"


def test_clashes_unknown_ids_and_letters_in_the_form_are_refused():
    entries = catalog()
    assert check_keymap(entries, {}) == []  # balie's own keys never clash
    assert "Overzicht (app.overview)" in check_keymap(entries, {"app.new": "f2"})[0]
    assert "bestaat niet" in check_keymap(entries, {"app.nieuw": "f8"})[0]
    assert "gewoon tekst" in check_keymap(entries, {"intake.save": "s"})[0]
    # The same key on two screens is fine: Esc is Terug on every list.
    assert check_keymap(entries, {"inbox.pick_up": "p"}) == []
    assert BROWSER_KEEPS >= {"ctrl+n", "ctrl+t", "ctrl+w", "ctrl+q"}


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_balie_keys_shows_changes_and_resets(capsys, made_db):
    # The OS account running the test is the new database's first beheer.
    code, out, _ = run(capsys, "--db", str(made_db), "keys")
    assert code == 0 and "app.new" in out and "ctrl+n,f8" in out
    code, out, err = run(capsys, "--db", str(made_db), "keys", "set", "app.new", "F8, Ctrl+N")
    assert code == 0, err
    with open_database(made_db) as db:
        assert keymap_setting(db) == {"app.new": "f8,ctrl+n"}
        logged = db.execute("SELECT detail FROM audit_log WHERE action = 'settings'").fetchall()
    assert logged == [("toetsen: app.new = f8,ctrl+n",)]
    code, _, err = run(capsys, "--db", str(made_db), "keys", "set", "app.new", "f2")
    assert code == 2 and "twee dingen op één scherm" in err
    code, out, _ = run(capsys, "--db", str(made_db), "keys", "set", "intake.route", "ctrl+t")
    assert code == 0 and "in een browser geen toets" in out
    code, _, err = run(capsys, "--db", str(made_db), "keys", "set", "app.nieuw", "f8")
    assert code == 2 and "bestaat niet" in err
    code, _, _ = run(capsys, "--db", str(made_db), "keys", "reset")
    assert code == 0
    with open_database(made_db) as db:
        assert keymap_setting(db) == {}
