"""Text from the database is data on every screen: never markup, never terminal control.

Every reference name (villages, areas, routes and their short names, channels, topics,
the entries of the sociale kaart with what they offer and their notes, outcomes, staff
display names), every free-text field (summary,
name, reasons, notes, a draft), the routing rules' reasons and the audit log's origin
hold markup (``[b]``, ``[/]``, ``[link=...]``, an unbalanced ``[/``), ANSI and OSC
escape sequences (cursor up, erase line, a clipboard write) and control characters,
written the way another program (or an old balie) could have. Then every screen and
question of the app is opened with the keyboard: nothing may crash, the text must be
shown as it is (the brackets visible, ESC as ␛), and the terminal output may hold
no escape sequence but the colours and cursor moves Textual writes itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta

from textual.command import CommandPalette

from balie.app import make_app
from balie.db import open_database
from balie.db.drafts import save_draft
from balie.db.inbox import callback_not_reached, close, pick_up, reopen, transfer
from balie.db.inquiries import InquiryInput, correct_inquiry, load_inquiry, save_inquiry
from balie.db.reference import load_reference
from balie.domain.intake import IntakeDraft
from balie.domain.routing import default_rules_text
from balie.domain.text import visible
from balie.screens.audit import AuditScreen
from balie.screens.callbacks import CallbacksScreen
from balie.screens.dialog import ChoiceDialog
from balie.screens.factsheet import FactsheetScreen
from balie.screens.help import HelpScreen
from balie.screens.history import HistoryScreen
from balie.screens.inbox import InboxScreen
from balie.screens.overview import OverviewScreen
from tests.conftest import FROZEN_NOW, member

TAIL = "[/]\x1b[1A\x1b[2K\x1b]52;c;aGFjaw==\x07[link=https://e.x]!\x00\x9b\u202e[/"
"""Markup that would close what is not open, an ANSI cursor-up and erase-line, an OSC 52
clipboard write, a hyperlink, NUL, a C1 CSI, a bidi override and an unbalanced tag."""


def hostile(name: str) -> str:
    return f"[b]{name}{TAIL}"


def shown(name: str) -> str:
    """How :func:`hostile` ``name`` must look on the screen (its first part)."""
    return visible(f"[b]{name}[/]\x1b[1A")


TEXTUAL_OWN = re.compile(r"\x1b\[[0-9;]*[mH]|\x1b\[\?25[lh]")
"""What Textual itself writes: colours (SGR) and cursor positions."""

TABLES = ("area", "village", "route", "directory_entry", "channel", "topic", "outcome")
SIZE = (160, 50)
"""Wide enough that the lists show their columns whole (the check reads the screen)."""


def poison(db_path) -> dict:
    """A database whose every name and free text is hostile; returns what to look for."""
    db = open_database(db_path)
    desk = member(db, "anna", "Anna", roles=("balie", "team", "teamleider", "beheer"),
                  team="social_work")
    bert = member(db, "bert", "Bert", roles=("team", "teamleider"), team="social_work")
    ref = load_reference(db)
    social, senior = ref.route("social_work"), ref.route("senior_work")
    channel, smilde = ref.channels.active[0], ref.villages.named("Smilde")
    topic, outcome = ref.topics.active[0], ref.outcomes.active[0]
    referral = ref.directory.named("Voedselbank")

    def register(route, *, at, callback=None, referral_id=None, followup=None):
        data = InquiryInput(
            channel_id=channel.id, village_id=smilde.id, route_id=route.id,
            topic_ids=(topic.id,), age=52, summary="omschrijving", consent=True,
            person_name="Jan", phone="+31612345678", callback_at=callback,
            referral_ids=(referral_id,) if referral_id else (), followup_at=followup)
        return save_inquiry(db, data, desk, at).id

    bert_away = replace(bert, origin="werkplek7 /dev/pts/3")
    today = FROZEN_NOW - timedelta(minutes=30)
    waiting = register(social, at=today, callback=FROZEN_NOW + timedelta(hours=1))
    # A referral to the sociale kaart with a follow-up due (in the callback list).
    register(ref.route("external"), at=today, referral_id=referral.id,
             followup=FROZEN_NOW - timedelta(minutes=10))
    moved = register(social, at=today)
    transfer(db, moved, senior.id, bert_away, FROZEN_NOW, "reden")
    pick_up(db, moved, bert_away, FROZEN_NOW)
    finished = register(social, at=today)
    pick_up(db, finished, bert_away, FROZEN_NOW)
    close(db, finished, outcome.id, bert_away, FROZEN_NOW, "notitie")
    again = register(social, at=today)
    pick_up(db, again, bert_away, FROZEN_NOW)
    close(db, again, outcome.id, bert_away, FROZEN_NOW, "notitie")
    reopen(db, again, bert_away, FROZEN_NOW, "reden")
    corrected = load_inquiry(db, waiting)
    correct_inquiry(db, waiting, replace(corrected, age=53), desk, FROZEN_NOW, "reden",
                    expected_version=corrected.version)
    late = register(social, at=today, callback=FROZEN_NOW - timedelta(hours=1))
    callback_not_reached(db, late, FROZEN_NOW - timedelta(hours=1),
                         FROZEN_NOW + timedelta(hours=2), bert_away, FROZEN_NOW, "notitie")

    with db.write():
        for table in TABLES:
            db.execute(f"UPDATE {table} SET name = '[b]' || name || ?", [TAIL])
        db.execute("UPDATE route SET short_name = '[b]' || code || ?", [TAIL])
        db.execute("UPDATE staff SET display_name = '[b]' || display_name || ?", [TAIL])
        db.execute("UPDATE directory_entry SET offers = ?, phone = ?, hours = ?, "
                   "desk_note = ?", [hostile("aanbod"), hostile("0593"), hostile("open"),
                                     hostile("notitie")])
        # Free text the data layer cleans on the way in, as an old version left it.
        db.execute("UPDATE inquiry SET summary = ?, person_name = ?",
                   [hostile("omschrijving") + "\nregel twee", hostile("Jan")])
        db.execute("UPDATE inquiry_event SET reason = ? WHERE reason IS NOT NULL",
                   [hostile("reden")])
        # Origins and details balie checks on the way in, as an older balie (or another
        # program with the file) wrote them.
        for action, inquiry_id in (("view", waiting), ("sign_in", None), ("export", None)):
            db.execute("INSERT INTO audit_log (at, staff_id, action, inquiry_id, detail, origin) "
                       "VALUES ('2026-03-10T09:00:00Z', ?, ?, ?, ?, ?)",
                       [bert.staff_id, action, inquiry_id, hostile("detail"),
                        hostile("herkomst")])
        # The rules name the renamed village and referral, and give hostile reasons.
        rules = default_rules_text().replace('"Buiten Midden-Drenthe"',
                                      json.dumps(hostile("Buiten Midden-Drenthe")))
        rules = rules.replace('"Overig"', json.dumps(hostile("Overig")))
        rules = re.sub(r'^reason = "', lambda _: 'reason = "[b]regel[/]\\u001b[2K '
                       '\\u001b]52;c;aGk=\\u0007 ', rules, flags=re.M)
        db.execute("INSERT INTO routing_rules (body, loaded_at, loaded_by) "
                   "VALUES (?, '2026-01-01T00:00:00Z', 'test')", [rules])
    # A draft of Anna's from an app that is gone: offered at the start.
    draft = IntakeDraft(channel=channel.code, village=hostile("Smilde"), summary=TAIL)
    save_draft(db, None, desk.staff_id, make_host(), 2**22 + 7, draft.to_json(), FROZEN_NOW)
    db.close()
    return {"waiting": waiting, "moved": moved, "again": again}


def make_host() -> str:
    import socket

    return socket.gethostname()


def terminal_output(app) -> str:
    """What the app would write to the terminal for its whole screen now."""
    return app.screen._compositor.render_full_update().render_segments(app.console)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def check(app, *expected: str) -> str:
    """Nothing but Textual's own sequences reaches the terminal; ``expected`` is shown."""
    output = terminal_output(app)
    rest = TEXTUAL_OWN.sub("", output)
    assert "\x1b" not in rest, repr(rest[rest.index("\x1b") - 20:][:60])
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", rest)
    text = screen_text(app)
    for piece in expected:
        assert piece in text, (piece, text)
    assert "[b]" in text and "␛" in text  # the markup and the ESC as characters
    return text


async def settle(pilot) -> None:
    """Until the screen stops changing (a table sizes its columns when it is idle, which
    on a busy machine comes later), within a deadline of steps, not of seconds."""
    shown = None
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        now = screen_text(pilot.app)
        if now == shown:
            return
        shown = now


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_every_screen_shows_hostile_text_as_text(db_path):
    ids = poison(db_path)
    app = make_app(db_path, username="anna", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The draft of an app that is gone is offered: its text is in the question.
        assert isinstance(app.screen, ChoiceDialog)
        check(app, shown("Smilde"))
        await press(pilot, "t")  # terughalen: the form holds it
        check(app, shown("Smilde"), shown("Telefoon"), shown("Seniorenwerk"))

        # Today's list, a correction of a hostile inquiry, and its history.
        await press(pilot, "escape")
        if isinstance(app.screen, ChoiceDialog):
            await press(pilot, "j")
        await press(pilot, "ctrl+l")
        check(app, shown("Smilde"), shown("Maatschappelijk werk"))
        table = app.screen.query_one("#today-table")
        table.move_cursor(row=table.get_row_index(str(ids["waiting"])))
        await press(pilot, "enter")
        text = check(app, shown("Jan"), shown("omschrijving"))
        assert "regel twee" in text
        await press(pilot, "ctrl+g")
        assert isinstance(app.screen, HistoryScreen)
        check(app, shown("Anna"), shown("reden"))
        await press(pilot, "escape")
        # The suggestion names a rule's reason, and a village of the rules.
        app.screen.query_one("#village").value = hostile("Buiten Midden-Drenthe")
        await settle(pilot)
        check(app, "[b]regel[/]␛[2K", shown("Extern doorverwezen")[:10])
        await press(pilot, "escape")  # cancel the correction: asks first
        if isinstance(app.screen, ChoiceDialog):
            check(app)
            await press(pilot, "j")

        # The overview: every breakdown, the charts, the factsheet.
        await press(pilot, "f2")
        assert isinstance(app.screen, OverviewScreen)
        await press(pilot, "p", "p", "p", "p")  # the year
        check(app, shown("Smilde")[:10], shown("social_work")[:10])  # short names, + charts
        for _ in ("area", "channel", "topic", "hour", "referral", "village"):
            await press(pilot, "i")
            check(app)
        await press(pilot, "g")  # the charts off, and the suppressed view
        await press(pilot, "a")
        check(app)
        await press(pilot, "a", "g")
        await press(pilot, "f")
        assert isinstance(app.screen, FactsheetScreen)
        check(app)
        # One page a team: each team's page names it (and its villages) as text.
        pages = [check(app)]
        for _ in range(3):
            await press(pilot, "t")
            pages.append(check(app))
        assert any(shown("Maatschappelijk werk")[:10] in page for page in pages)
        await press(pilot, "escape")

        # The werkvoorraad: each view, all teams, and its questions.
        await press(pilot, "f3")
        assert isinstance(app.screen, InboxScreen)
        check(app, shown("Maatschappelijk werk"), shown("Smilde"), shown("Financiën"))
        await press(pilot, "d")  # transfer: the teams by name
        assert isinstance(app.screen, ChoiceDialog)
        check(app, shown("Seniorenwerk"))
        await press(pilot, "1")
        check(app, "Reden voor " + shown("Cliëntondersteuning")[:8])
        await press(pilot, "escape")
        await press(pilot, "w")  # in behandeling
        check(app, shown("Bert"))
        await press(pilot, "a")  # close: the outcomes by name
        assert isinstance(app.screen, ChoiceDialog)
        check(app, shown("Informatie en advies")[:10])
        await press(pilot, "1")
        check(app, "Toelichting bij " + shown("Informatie en advies")[:10])
        await press(pilot, *"klaar", "enter")
        check(app, "is afgerond: " + shown("Informatie en advies")[:10])
        await press(pilot, "w")  # afgerond
        check(app, shown("Informatie en advies")[:10], shown("Bert"))
        await press(pilot, "h")
        check(app, "heropenen")
        await press(pilot, "escape")
        await press(pilot, "enter")  # details and history of a closed one
        assert isinstance(app.screen, HistoryScreen)
        check(app, shown("Jan"), shown("reden"), shown("Bert"))
        await press(pilot, "escape")
        await press(pilot, "t")  # the next team (the lead goes round all of them)
        check(app)
        for _ in range(3):
            await press(pilot, "t")
            check(app)

        # Callbacks: names, notes, and the question line.
        await press(pilot, "f4")
        assert isinstance(app.screen, CallbacksScreen)
        check(app, shown("Jan")[:9], shown("social_work"), shown("Maatschappelijk werk"))
        await press(pilot, "t")
        check(app)
        await press(pilot, "g")
        check(app)
        await press(pilot, "escape")
        await press(pilot, "f4")  # the follow-up of a referral: the entry's name
        table = app.screen.query_one("#list")
        for _ in range(5):  # "Voor wie" round to a list that holds it
            if any(key.value.endswith("/followup") for key in table.rows):
                break
            await press(pilot, "t")
        table.move_cursor(row=table.get_row_index(next(
            key.value for key in table.rows if key.value.endswith("/followup"))))
        await press(pilot, "g")
        assert isinstance(app.screen, ChoiceDialog)
        check(app, shown("Voedselbank"))
        await press(pilot, "escape")

        # The sociale kaart: names, what they offer, how to reach them, notes; Enter
        # puts one in the form, which reads them out under the Naar field.
        await press(pilot, "f6")
        check(app, shown("Voedselbank"))
        await press(pilot, *"voedsel")
        check(app, shown("Voedselbank"), shown("aanbod"), shown("0593"), shown("notitie"))
        await press(pilot, "f9")  # beheer changes it: the fields hold the text as it is
        check(app, shown("Voedselbank")[:10])
        await press(pilot, "escape")
        await press(pilot, "enter")
        check(app, shown("Voedselbank"), shown("notitie"))

        # The audit log: origins, names and details of every kind.
        await press(pilot, "f5")
        assert isinstance(app.screen, AuditScreen)
        check(app, shown("herkomst")[:10])

        # Help and the command palette (whose own texts are markup).
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        check(app, shown("Anna")[:6])  # the header
        await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await press(pilot, *"werkvoorraad")
        check(app, shown("Seniorenwerk")[:10])
        await press(pilot, "escape")
    assert app.return_code in (0, None)


async def test_an_input_shows_each_control_character_as_one_character():
    from textual.app import App

    from balie.widgets import FormTextArea, TextInput

    class Form(App):
        def compose(self):
            yield TextInput("a\x07b\x1b[2Kc[b]", id="line")
            yield FormTextArea("x\x07y\nz\x1b]52;c;eA==\x07", id="area")

    app = Form()
    async with app.run_test(size=(40, 10)) as pilot:
        line = app.query_one("#line", TextInput)
        line.focus()
        line.cursor_position = len(line.value)
        await pilot.pause()
        assert line._value.plain == "a␇b␛[2Kc[b]"  # one cell each: the cursor stays
        check(app, "a␇b␛[2Kc[b]", "x␇y", "z␛]52;c;eA==␇")
