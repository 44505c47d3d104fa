"""The command palette speaks Dutch and finds every footer action by the footer's word.

Before: "No matches found", "Toets: RIGHT/LEFT", and typing the footer's own word
("export") found nothing, because the palette listed the tooltip ("Als CSV voor Excel
opslaan") under the title.
"""

from __future__ import annotations

import re

import pytest
from textual.fuzzy import Matcher

from balie.app import make_app
from balie.db import open_database
from tests.conftest import FROZEN_NOW, member
from tests.screen_reading import screen_lines
from tests.test_snapshots import ready

SIZE = (80, 24)
ENGLISH = re.compile(r"\b(No matches|Search|Quit|Keys|Theme|Screenshot|Maximi[sz]e|Exit|"
                     r"Press|RIGHT|LEFT|UP|DOWN|ESCAPE|Do you want)\b")
SCREENS = {"intake": None, "overview": "f2", "inbox": "f3", "callbacks": "f4", "audit": "f5"}


def build(db_path, roles=("balie", "teamleider", "beheer")):
    with open_database(db_path) as db:
        member(db, "alles", roles=roles)
    return make_app(db_path, username="alles", clock=lambda: FROZEN_NOW)


async def open_screen(pilot, key):
    await ready(pilot)
    if key:
        await pilot.press(key)
        await ready(pilot)


async def search(pilot, text: str) -> list[str]:
    await pilot.press("ctrl+p")
    await ready(pilot)
    await pilot.press(*text)
    await pilot.pause(0.8)  # the palette searches, then waits before "nothing found"
    await ready(pilot)
    lines = screen_lines(pilot.app)
    await pilot.press("escape")
    await ready(pilot)
    return lines


@pytest.mark.parametrize("where", SCREENS)
async def test_every_footer_action_is_found_by_the_footers_word(db_path, where):
    app = build(db_path)
    async with app.run_test(size=(200, 40)) as pilot:
        await open_screen(pilot, SCREENS[where])
        footer = [(binding.group.description if binding.group else binding.description)
                  for _, binding, enabled, _ in app.screen.active_bindings.values()
                  if binding.show and enabled]
        assert footer
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for word in dict.fromkeys(footer):
            # What the palette's search does with what is typed (Textual's matcher).
            matcher = Matcher(word.lower())
            assert any(word.lower() in title.lower() and matcher.match(title) > 0
                       for title in titles), word


async def test_the_palette_is_dutch_from_search_to_nothing_found(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "f2")
        lines = await search(pilot, "export")
        assert "Export" in "\n".join(lines)
        assert "· toets\u00a0E" in "\n".join(lines)
        lines = await search(pilot, "xyzq")
        assert "Niets gevonden" in "\n".join(lines)
        lines = await search(pilot, "volgende")
        assert "toets\u00a0→" in "\n".join(lines)  # not "Toets: RIGHT"
        await pilot.press("ctrl+p")
        await ready(pilot)
        everything = []
        for _ in range(12):  # the whole list, a page at a time
            everything += screen_lines(app)
            await pilot.press("pagedown")
            await ready(pilot)
        assert not ENGLISH.search("\n".join(everything))
        await pilot.press("escape")


async def test_the_theme_choice_and_ctrl_c_are_dutch(db_path):
    app = build(db_path, roles=("balie", "teamleider"))  # no retention check at start
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "f2")
        app.action_help_quit()  # Textual's answer to Ctrl+C where nothing copies
        await pilot.pause()  # (ready() would clear the notices)
        said = [(n.title, n.message) for n in app._notifications]
        assert said == [("balie stoppen?", "Stoppen doet u met Ctrl+Q; een half formulier "
                                           "blijft als concept bewaard.")]
        app.action_change_theme()
        await ready(pilot)
        assert "Zoek een thema" in "\n".join(screen_lines(app))
