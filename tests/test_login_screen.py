"""The login of a browser session, driven with the keyboard through Textual's Pilot."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from textual.widgets import Input, Static

from balie.app import make_app
from balie.db import open_database
from balie.db.access import sign_in
from balie.db.login import set_password
from balie.db.reference import KINDS, add_entry
from balie.screens.dialog import ChoiceDialog
from balie.screens.intake import IntakeScreen
from balie.screens.login import LoginScreen

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 10:30 in Beilen
SIZE = (100, 32)
PASSWORDS = {"anna": "paarse olifant op de fiets", "tom": "groene kikker in de sloot",
             "beheer": "blauwe reiger boven het veld"}


@pytest.fixture(scope="module")
def staffed_db(tmp_path_factory):
    """A database with three staff members who have a password (made once: scrypt)."""
    path = tmp_path_factory.mktemp("login") / "balie.db"
    db = open_database(path)
    try:
        _, admin = sign_in(db, "installateur", "test cli", NOW, owns_file=True)
        add_entry(db, admin, KINDS["staff"], "anna", roles="balie", display_name="Anna de Vries")
        add_entry(db, admin, KINDS["staff"], "tom", roles="team", team="Seniorenwerk",
                  display_name="Tom Bakker")
        add_entry(db, admin, KINDS["staff"], "beheer", roles="beheer")
        for username, password in PASSWORDS.items():
            set_password(db, admin, username, password, NOW)
    finally:
        db.close()
    return path


@pytest.fixture
def db_path(staffed_db, tmp_path):
    path = tmp_path / "balie.db"
    shutil.copyfile(staffed_db, path)
    return path


def build(db_path):
    return make_app(db_path, login=True, clock=lambda: NOW, origin="web 192.0.2.7")


def rows(db_path, sql, params=()):
    db = open_database(db_path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(app, selector) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def log_in(pilot, username, password, *, typed=False) -> None:
    """Log in; ``typed`` types every character (slower), else the fields are filled."""
    if typed:
        await pilot.press(*username, "enter", *password, "enter")
    else:
        pilot.app.screen.query_one("#username", Input).value = username
        pilot.app.screen.query_one("#password", Input).value = password
        await pilot.press("enter")
    await settle(pilot)


async def test_nothing_but_the_login_is_usable_before_it(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.focused.id == "username"
        assert app.staff is None and app.actor is None
        await pilot.press("tab")
        assert app.focused.id == "password"
        await pilot.press("shift+tab")
        assert app.focused.id == "username"
        # The keys of the app's screens do nothing yet.
        for key in ("ctrl+n", "f2", "f3", "f5", "ctrl+p", "f10"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen), key
        assert app.get_screen_stack("login") and set(app._screen_stacks) == {"login"}
    assert rows(db_path, "SELECT count(*) FROM audit_log WHERE origin LIKE 'web%'") == [(0,)]


async def test_empty_fields_are_pointed_out_at_the_field(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # an empty username: moves on to the password
        await pilot.press("enter")
        await settle(pilot)
        assert shown(app, "#username-error") == "Vul uw gebruikersnaam in."
        assert app.focused.id == "username"
        await pilot.press(*"anna", "enter", "enter")
        await settle(pilot)
        assert shown(app, "#username-error") == ""
        assert shown(app, "#password-error") == "Vul uw wachtwoord in."
        assert app.focused.id == "password"


async def test_a_wrong_password_says_so_at_the_field_without_naming_the_cause(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "anna", "dit is het niet", typed=True)
        assert isinstance(app.screen, LoginScreen)
        assert shown(app, "#password-error") == "Gebruikersnaam of wachtwoord klopt niet."
        assert app.screen.query_one("#password", Input).value == ""
        assert app.focused.id == "password"
        # An unknown name gets exactly the same.
        app.screen.query_one("#username", Input).value = "annabel"
        await pilot.press(*"dit is het niet", "enter")
        await settle(pilot)
        assert shown(app, "#password-error") == "Gebruikersnaam of wachtwoord klopt niet."
        # Typing again clears the message.
        await pilot.press("x")
        assert shown(app, "#password-error") == ""
    assert rows(db_path, "SELECT detail, origin FROM audit_log WHERE action = 'login_failed' "
                         "ORDER BY id") == [("wachtwoord onjuist (1 van 5)", "web 192.0.2.7"),
                                            ("onbekende gebruikersnaam", "web 192.0.2.7")]


async def test_the_fifth_wrong_password_locks_the_account(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"anna", "enter")
        for attempt in range(5):
            app.screen.query_one("#password", Input).value = f"fout {attempt}"
            await pilot.press("enter")
            await settle(pilot)
        message = shown(app, "#password-error")
        assert message.startswith("Te veel mislukte pogingen: dit account is geblokkeerd "
                                  "tot 10:45.")
        assert "vraag beheer" in message
        # The right password does not help while it is locked.
        app.screen.query_one("#password", Input).value = PASSWORDS["anna"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "geblokkeerd tot 10:45" in shown(app, "#password-error")


@pytest.mark.parametrize(("username", "mode", "screen_name"), [
    ("anna", "intake", "IntakeScreen"),
    ("tom", "inbox", "InboxScreen"),
    ("beheer", "audit", "AuditScreen"),
])
async def test_a_good_login_opens_the_first_screen_of_the_role(db_path, username, mode,
                                                               screen_name):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, username, PASSWORDS[username], typed=username == "anna")
        assert app.current_mode == mode
        assert type(app.screen).__name__ == screen_name
        assert app.staff.username == username
        assert app.actor.origin == "web 192.0.2.7"
        assert app.sub_title.endswith("F10 afmelden")
        # No way back to the login screen, and it is gone with the password it held.
        assert "login" not in app._screen_stacks
        assert not app.query(LoginScreen)
    (row,) = rows(db_path, "SELECT staff.username, detail, origin FROM audit_log "
                           "JOIN staff ON staff.id = staff_id WHERE action = 'sign_in' "
                           "AND origin LIKE 'web%'")
    assert row == (username, "wachtwoord", "web 192.0.2.7")


async def test_escape_on_a_list_after_the_login_stays_at_the_person_s_first_screen(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "tom", PASSWORDS["tom"])
        await pilot.press("f4")  # his team's callbacks
        await settle(pilot)
        await pilot.press("escape")  # back: to his first screen, never to the login
        await settle(pilot)
        assert app.is_running and app.current_mode == "inbox"


async def test_logging_out_ends_the_session_and_the_log_says_so(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "anna", PASSWORDS["anna"])
        assert isinstance(app.screen, IntakeScreen)
        # In a browser session F10 takes the place of Ctrl+Q (some browsers close on it).
        footer_keys = {b.binding.key for b in app.screen.active_bindings.values()
                       if b.enabled and b.binding.show}
        assert "f10" in footer_keys and "ctrl+q" not in footer_keys
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.is_running
        await pilot.press("f10")
        await settle(pilot)
    assert app.return_code == 0
    assert rows(db_path, "SELECT action, origin FROM audit_log WHERE action IN "
                         "('sign_in', 'sign_out') AND origin LIKE 'web%' ORDER BY id") == [
        ("sign_in", "web 192.0.2.7"), ("sign_out", "web 192.0.2.7")]


async def test_logging_out_with_a_half_form_asks_and_keeps_a_draft(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "anna", PASSWORDS["anna"])
        await pilot.press(*"bei")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "Afmelden?" in shown(app, "#dialog-question")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.is_running
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
    assert rows(db_path, "SELECT count(*) FROM draft JOIN staff ON staff.id = staff_id "
                         "WHERE username = 'anna'") == [(1,)]


async def test_a_browser_session_left_alone_ends_and_keeps_the_half_form(db_path):
    from datetime import timedelta

    from balie.app import IDLE_LIMIT

    moment = [NOW]
    app = make_app(db_path, login=True, clock=lambda: moment[0], origin="web 192.0.2.7")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "anna", PASSWORDS["anna"])
        moment[0] += IDLE_LIMIT - timedelta(minutes=1)
        await pilot.press(*"bei")  # still working: the limit counts from here
        await settle(pilot)
        moment[0] += IDLE_LIMIT - timedelta(minutes=1)
        await app.end_if_idle()
        assert app.is_running
        moment[0] += timedelta(minutes=2)
        await app.end_if_idle()
        await settle(pilot)
        assert not app.is_running
    assert rows(db_path, "SELECT count(*) FROM draft JOIN staff ON staff.id = staff_id "
                         "WHERE username = 'anna'") == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM audit_log WHERE action = 'sign_out'") == [(1,)]


async def test_at_a_terminal_nothing_changes(db_path):
    app = make_app(db_path, username="anna", clock=lambda: NOW, origin="desk tty1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.sub_title == "Anna de Vries"
        await pilot.press("f10")  # no logout at a terminal: the OS account stays
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, IntakeScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0
