"""The screens driven as someone with one role: the desk, a team member, beheer.

The data layer refuses what a role may not do (tests/test_access.py); the screens offer
what a role may do and nothing else. Each test signs in as a staff member with exactly
one role (someone else is beheer), presses every screen's key, and checks where it
lands, what the list shows, and what F1 offers.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from textual.widgets import DataTable, Static

from balie.app import make_app
from balie.db import open_database
from balie.db.inquiries import save_inquiry
from balie.db.reference import load_reference
from balie.screens.help import HelpScreen
from tests.conftest import FROZEN_NOW, member, seat
from tests.test_store import make_input
from tests.timers import settle

SIZE = (120, 36)
CALLBACK = FROZEN_NOW + timedelta(hours=2)
SCREEN_KEYS = {"f2": "overview", "f3": "inbox", "f4": "callbacks", "f5": "audit",
               "f6": "kaart"}
"""F6, the sociale kaart, holds no client data: everyone may look there."""


@pytest.fixture
def callbacks(db_path) -> dict[str, int]:
    """A callback waiting at the desk, at maatschappelijk werk and at seniorenwerk."""
    with open_database(db_path) as db:
        ref = load_reference(db)
        desk = member(db, "collega", roles=("balie",))
        found = {}
        for route, phone in (("desk", "+31612345678"), ("social_work", "+31687654321"),
                             ("senior_work", "+31611112222")):
            found[route] = save_inquiry(db, make_input(
                ref, route_id=ref.route(route).id, consent=True, phone=phone,
                callback_at=CALLBACK), desk, FROZEN_NOW).id
    return found


def app_of(db_path, username, *roles, team=None):
    seat(db_path, username, roles=roles, team=team)
    app = make_app(db_path, username=username, clock=lambda: FROZEN_NOW)
    assert app.staff.roles == set(roles)
    return app


def listed(app) -> set[int]:
    table = app.screen.query_one("#list", DataTable)
    numbers = (table.get_row_at(i)[1] for i in range(table.row_count))
    return {int(getattr(number, "plain", number)) for number in numbers}


async def keys_lead_to(pilot, start: str) -> dict[str, str]:
    """Where each screen key leads from ``start`` (and back to it)."""
    app, reached = pilot.app, {}
    for key in (*SCREEN_KEYS, "ctrl+n"):
        await pilot.press(key)
        await settle(pilot)
        reached[key] = app.current_mode
        if app.current_mode != start:
            await app.switch_mode(start)
            await settle(pilot)
    return reached


async def help_keys(pilot) -> set[str]:
    """The keys F1 lists under "Overal" (the keys of every screen)."""
    text = await help_text(pilot)
    everywhere = text.split("Overal", 1)[1]
    firsts = (line.split()[0].rstrip(",") for line in everywhere.splitlines()[1:]
              if line.strip())  # "Ctrl+N, F8": the first key of a line
    return {key for key in firsts if key in {*(k.upper() for k in SCREEN_KEYS), "Ctrl+N", "F1"}}


async def help_text(pilot) -> str:
    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    console = Console(width=120, record=True, file=io.StringIO())
    for widget in pilot.app.screen.query(Static):
        console.print(widget.content)
    text = console.export_text()
    await pilot.press("escape")
    await settle(pilot)
    return text


async def test_the_desk_registers_and_calls_back_for_the_desk_only(db_path, callbacks, timers):
    app = app_of(db_path, "desk", "balie")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "intake"
        assert await keys_lead_to(pilot, "intake") == {
            "f2": "intake", "f3": "intake", "f4": "callbacks", "f5": "intake", "f6": "kaart",
            "ctrl+n": "intake"}
        await pilot.press("f4")
        await settle(pilot)
        assert listed(app) == {callbacks["desk"]}  # not the teams' callbacks
        await pilot.press("escape")
        await settle(pilot)
        assert await help_keys(pilot) == {"Ctrl+N", "F4", "F6", "F1"}


async def test_a_team_member_works_the_own_teams_list_and_callbacks(db_path, callbacks, timers):
    app = app_of(db_path, "anna", "team", team="social_work")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "inbox"
        assert app.screen.team is not None and app.screen.team.code == "social_work"
        assert await keys_lead_to(pilot, "inbox") == {
            "f2": "inbox", "f3": "inbox", "f4": "callbacks", "f5": "inbox", "f6": "kaart",
            "ctrl+n": "inbox"}
        await pilot.press("f4")
        await settle(pilot)
        assert listed(app) == {callbacks["social_work"]}
        await pilot.press("escape")
        await settle(pilot)
        assert await help_keys(pilot) == {"F3", "F4", "F6", "F1"}


async def test_beheer_alone_has_the_audit_log_and_nothing_of_the_inquiries(db_path, callbacks,
                                                                           timers):
    app = app_of(db_path, "beheerder", "beheer")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "audit"
        assert await keys_lead_to(pilot, "audit") == {
            "f2": "audit", "f3": "audit", "f4": "audit", "f5": "audit", "f6": "kaart",
            "ctrl+n": "audit"}
        assert await help_keys(pilot) == {"F5", "F6", "F1"}


async def test_a_team_lead_has_every_screen_but_the_log(db_path, callbacks, timers):
    app = app_of(db_path, "lead", "teamleider")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "intake"
        assert await keys_lead_to(pilot, "intake") == {
            "f2": "overview", "f3": "inbox", "f4": "callbacks", "f5": "intake", "f6": "kaart",
            "ctrl+n": "intake"}
        await pilot.press("f4")
        await settle(pilot)
        assert listed(app) == set(callbacks.values())
        await pilot.press("escape")
        await settle(pilot)
        assert await help_keys(pilot) == {"Ctrl+N", "F2", "F3", "F4", "F6", "F1"}
