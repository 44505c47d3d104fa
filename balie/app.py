"""The Textual application and the one factory that builds it."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from rich.text import Text
from textual import events
from textual.actions import parse
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.theme import ThemeProvider

from balie.config import access_from, os_username
from balie.crash import EX_SOFTWARE, crash_report, loop_exception_handler, report_from_trace
from balie.db import BalieDatabase, StoreError, open_database
from balie.db.access import BEHEER, Actor, Grant, owns_file, sign_in
from balie.db.auditlog import ChainPart, check_chain_part
from balie.db.connection import OWNER_ONLY, Access
from balie.db.directory import stale_count
from balie.db.errors import store_error
from balie.db.inbox import change_counter
from balie.db.login import sign_out
from balie.db.permissions import file_warnings
from balie.db.retention import retention_due
from balie.db.settings import first_time_today, is_demo, keymap_setting
from balie.domain.auditchain import START
from balie.domain.models import Route, Staff
from balie.domain.origin import make_origin, parse_origin
from balie.domain.retention import inquiries
from balie.domain.text import visible
from balie.domain.timekeeping import local_day, utc_now
from balie.plain import markup_literal
from balie.screens.dialog import ChoiceDialog
from balie.screens.help import KEY_NAMES, HelpScreen, key_label
from balie.screens.intake import IntakeScreen
from balie.screens.login import LoginScreen
from balie.screens.palette import Palette
from balie.widgets import StatusLine

T = TypeVar("T")
POLL_SECONDS = 2
"""How often open lists ask whether another desk changed something."""
NOTICE_SECONDS = 30
"""How long a notice at start (permissions, retention) stays above the status line."""
IDLE_LIMIT = timedelta(minutes=15)
"""A browser session without a key or click for this long ends (the half-typed form is
kept as a draft): a desk left open must not show the next visitor anything."""
RETENTION_NOTICE_DELAY = 1.5
"""Seconds after the start before beheer's retention check: the first screen first."""


class AppClosing(StoreError):
    """Database work asked of an app that is closing (see :meth:`BalieApp.run_db`): a
    caller that handles StoreError stops there; one that does not is stopped quietly."""


def terminal_origin() -> str:
    """Where this desk is, for the audit log: host and terminal."""
    try:
        tty = os.ttyname(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        tty = "-"
    return make_origin(socket.gethostname(), tty)


MODE_ACTIONS = {"intake": "register", "inbox": "team_list", "callbacks": "callbacks",
                "overview": "reports", "audit": "audit"}
"""Each screen of the app and the action (see balie.db.access) it needs, in the order
in which a person starts at the first they may use."""


BEFORE_LOGIN = frozenset({"help", "quit", "focus_next", "focus_previous", "bell"})
"""The app's actions a browser session offers before anyone has logged in."""


def start_mode(staff: Staff) -> str:
    grant = Grant(staff.id, staff.username, staff.roles, staff.team_route_id)
    return next((mode for mode, action in MODE_ACTIONS.items() if grant.may_some(action)),
                "intake")


class BalieApp(App[None]):
    """balie's terminal application."""

    TITLE = "balie"
    CSS_PATH = "app.tcss"
    MODES = {"intake": IntakeScreen, "overview": lambda: _overview(),
             "inbox": lambda: _inbox(), "callbacks": lambda: _callbacks(),
             "audit": lambda: _audit(), "kaart": lambda: _directory()}
    DEFAULT_MODE = "intake"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        # F8: in a browser Ctrl+N opens a new window and never reaches balie.
        Binding("ctrl+n,f8", "new_inquiry", "Nieuw", id="app.new", priority=True,
                tooltip="Een nieuwe vraag registreren, vanuit elk scherm"),
        Binding("f2", "switch_mode('overview')", "Overzicht", id="app.overview",
                key_display="F2", tooltip="Het dagoverzicht: vragen per dorp en route"),
        Binding("f3", "switch_mode('inbox')", "Werkvoorraad", id="app.inbox",
                key_display="F3", show=False,
                tooltip="Werkvoorraad: de vragen van een team oppakken, doorzetten, afronden"),
        Binding("f4", "switch_mode('callbacks')", "Terugbellen", id="app.callbacks",
                key_display="F4", show=False,
                tooltip="Terugbellen: de terugbelverzoeken van vandaag en de te late"),
        Binding("f5", "switch_mode('audit')", "Auditlog", id="app.audit",
                key_display="F5", show=False,
                tooltip="Auditlog: wie zag of wijzigde welke vraag, wanneer en waarvandaan"),
        Binding("f6", "switch_mode('kaart')", "Sociale kaart", id="app.kaart",
                key_display="F6", show=False,
                tooltip="Sociale kaart: waar kan iemand terecht? Zoeken op naam, onderwerp "
                        "of woord"),
        Binding("f1", "help", "Help", id="app.help", key_display="F1", tooltip="Alle toetsen"),
        Binding("ctrl+q", "quit", "Stop", id="app.quit", priority=True,
                tooltip="balie afsluiten (een half formulier blijft als concept bewaard)"),
        # Only in a browser session (balie serve), where it takes the place of Ctrl+Q:
        # some browsers close themselves on Ctrl+Q before the page sees the key.
        Binding("f10", "logout", "Afmelden", id="app.logout", key_display="F10",
                priority=True,
                tooltip="Afmelden: de sessie in de browser eindigt (een half formulier "
                        "blijft als concept bewaard)"),
        # Not in the footer (80 columns hold no more); the header's ⭘ and F1 show it.
        Binding("ctrl+p", "command_palette", "Opdrachten", id="app.palette", priority=True,
                show=False,
                tooltip="Alle opdrachten zoeken en uitvoeren"),
    ]

    def __init__(
        self,
        db: BalieDatabase,
        staff: Staff | None,
        actor: Actor | None,
        clock: Callable[[], datetime],
        *,
        demo: bool = False,
        access: Access = OWNER_ONLY,
        login_origin: str | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        """``login_origin`` makes this a browser session (balie serve): it starts with
        nobody signed in (``staff`` and ``actor`` None) at the login screen."""
        if (staff is None or actor is None) != (login_origin is not None):
            raise ValueError("either a signed-in staff member or a login_origin")
        # Someone who does not register (a team member, beheer) starts at their work.
        self.DEFAULT_MODE = "login" if staff is None else start_mode(staff)
        super().__init__()
        _without_textual_logs(self)
        if login_origin is not None:
            self.add_mode("login", LoginScreen)
        self.db = db
        """The shared database; only ever used from the database thread (see run_db)."""
        self.login_origin = login_origin
        """Where a browser session comes from (``web`` and the remote address), or None
        at a terminal, where the OS account says who is at the desk."""
        self.demo = demo
        self.staff: Staff | None = None
        """The staff member at this desk, taken from the OS account (or a login)."""
        self.actor: Actor | None = None
        """Who acts, for every data-layer call: the data layer checks the roles."""
        self.grant = Grant(0, "", frozenset(), None)
        """The roles as they were at the start: what the screens offer. (The data layer
        reads them again at every action.)"""
        self.clock = clock
        """Returns the current moment; tests freeze it."""
        self.access = access
        """Who may read the database files (owner only, or BALIE_GROUP)."""
        self.host = socket.gethostname()
        self.pid = os.getpid()
        if staff is not None and actor is not None:
            self._take_seat(staff, actor)
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="balie-db")
        self._closing = False
        """Set when the app unmounts: from then on database work is dropped."""
        self.organisation_keys = keymap or {}
        """The organisation's keys (``balie keys``), applied when the app starts."""
        self._crash: BaseException | None = None
        self._crash_inquiry: int | None = None
        self._data_version: int | None = None
        self.notices_shown: list[tuple[str, str]] = []
        """Every notice (title, text) this app showed (see :meth:`show_notice`)."""

    def _take_seat(self, staff: Staff, actor: Actor) -> None:
        self.staff = staff
        self.actor = actor
        self.grant = Grant(staff.id, staff.username, staff.roles, staff.team_route_id)
        self.sub_title = "  ·  ".join(filter(None, (  # the header shows it as text
            visible(staff.display_name), "DEMO-GEGEVENS" if self.demo else None,
            "F10 afmelden" if self.login_origin is not None else None)))

    async def signed_in(self, staff: Staff, actor: Actor) -> None:
        """A browser login succeeded: the app becomes this staff member's, exactly as at
        a terminal (their roles decide the first screen), and the login screen goes."""
        self._take_seat(staff, actor)
        self.DEFAULT_MODE = start_mode(staff)  # where Esc leads back to, not the login
        await self.switch_mode(self.DEFAULT_MODE)
        await self.remove_mode("login")
        self.refresh_bindings()
        self.start_notices()

    async def run_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a data-layer function on the one database thread and await its result.

        All database work of the app goes through this single thread: the event loop
        never blocks on SQLite (an fsync can take milliseconds, a busy wait seconds),
        and the connection is never used by two threads at once.

        Work asked once the app is closing (a timer or a key that fired just before
        the end, e.g. the retention notice of someone who quits at once) is dropped:
        the database thread has stopped and the connection is closed. The caller gets
        :class:`AppClosing` (a StoreError), which stops it and which
        :meth:`_handle_exception` ignores.
        """
        if self._closing:
            raise AppClosing("balie wordt afgesloten.")
        loop = asyncio.get_running_loop()
        call = functools.partial(_as_store_errors, fn, self.db, *args, **kwargs)
        return await loop.run_in_executor(self._db_thread, call)

    def on_mount(self) -> None:
        asyncio.get_running_loop().set_exception_handler(loop_exception_handler)
        from balie.keys import usable_keymap

        # In a browser the footer shows, of each action, a key the browser lets through.
        self.set_keymap(usable_keymap(self.organisation_keys,
                                      browser=self.login_origin is not None))
        self.set_interval(POLL_SECONDS, self.poll_changes)
        if self.login_origin is not None:
            self._last_input = self.clock()
            self.set_interval(30, self.end_if_idle)
        if self.staff is not None:
            self.start_notices()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown) and self.login_origin is not None:
            self._last_input = self.clock()
        await super().on_event(event)

    async def end_if_idle(self) -> None:
        """End a browser session nobody used for :data:`IDLE_LIMIT` (signed in or not)."""
        if self.clock() - self._last_input < IDLE_LIMIT:
            return
        intake = self.intake_screen
        if intake is not None and intake.is_dirty():
            await intake.write_draft()  # offered again at the next login
        self.exit()

    def start_notices(self) -> None:
        """What someone who just sat down should know: files readable too widely, and
        (for beheer) personal details past their retention period. Not before a browser
        login: the login screen tells a stranger nothing about the server."""
        warnings = file_warnings(self.db.path, self.access)
        if warnings:
            self.run_worker(self.notice_once_a_day("permissions", "Rechten van de database",
                                                   warnings), exit_on_error=False)
        if BEHEER in self.staff.roles:
            self.set_timer(RETENTION_NOTICE_DELAY, self.retention_notice)
            self.set_timer(RETENTION_NOTICE_DELAY, self.chain_notice)
            self.set_timer(RETENTION_NOTICE_DELAY, self.directory_notice)

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notice of balie (screens call this too) is text, never markup: it may
        name a file, a person or reference data. Control characters are shown."""
        super().notify(visible(message, lines=True), title=visible(title), severity=severity,
                       timeout=timeout, markup=False)

    async def retention_notice(self) -> None:
        """Tell beheer at the start when personal details are past their retention period.

        Started a moment after the first screen, which reads its lists on the same
        database thread first: the count (about 30 ms on a million inquiries, half a
        second before the first run ever) never holds up the first screen.
        """
        await self.counted_notice(retention_due, "retention", "Bewaartermijn", lambda due: (
            f"{inquiries(due)} {'is' if due == 1 else 'zijn'} over de bewaartermijn; "
            "wis de persoonsgegevens met: balie retention"))

    async def counted_notice(self, count, key: str, title: str, says) -> None:
        """A once-a-day notice for beheer about ``count`` (a data-layer function of the
        time) when it finds any: ``says`` words that number."""
        try:
            found = await self.run_db(count, self.clock())
        except StoreError:
            return  # busy for a moment: the next start tells them
        if found:
            await self.notice_once_a_day(key, title, [says(found)])

    async def notice_once_a_day(self, key: str, title: str, texts: list[str]) -> None:
        """Show a notice that asks beheer to act, once a day for all desks together:
        the first start of the day shows it, the other starts (of every desk) do not."""
        try:
            first = await self.run_db(first_time_today, f"notice.{key}",
                                      local_day(self.clock()), self.clock())
        except StoreError:
            first = True  # the database is busy: better told twice than not at all
        if first:
            for text in texts:
                self.show_notice(title, text)

    def show_notice(self, title: str, text: str) -> None:
        """A notice on the status line of the screen in front (under a question: of the
        screen below it), above its messages: it takes lines from the work, never
        covers it."""
        self.notices_shown.append((title, text))
        for screen in reversed(self.screen_stack):
            try:
                status = screen.query_one(StatusLine)
            except NoMatches:
                continue
            status.notice(title, text, NOTICE_SECONDS)
            return
        self.notify(text, title=title, severity="warning", timeout=NOTICE_SECONDS,
                    markup=False)

    async def chain_notice(self) -> None:
        """Tell beheer at the start when the audit log's chain is broken (a row changed
        or removed outside balie), once per start.

        The chain is checked in parts of a few thousand rows on the database thread, so
        the desk's own work goes between them; a million rows take a few seconds, all of
        it after the first screen.
        """
        part = ChainPart(START, None, False)
        try:
            while not part.done:
                part = await self.run_db(check_chain_part, self.actor, part.progress)
        except StoreError:
            return  # busy for a moment, or the role just taken away: the next start
        if part.broken is not None:  # at every start, not once a day: it is an alarm
            self.show_notice("Auditlog", f"{part.broken.message()} Zie: balie audit --verify")

    async def directory_notice(self) -> None:
        """Tell beheer, once a day, how many entries of the sociale kaart were not
        checked for a year, and where to check them. (Counting reads only the
        directory, which holds no personal details.)"""
        await self.counted_notice(stale_count, "kaart", "Sociale kaart", lambda stale: (
            f"{stale} {'adres is' if stale == 1 else 'adressen zijn'} een jaar niet "
            "gecontroleerd; kijk ze na met F6 en Ctrl+R (of: balie kaart list --stale)"))

    async def poll_changes(self) -> None:
        """Tell the screen in front when another desk has committed a change.

        ``PRAGMA data_version`` reads no table, so asking every few seconds costs
        nothing; the screen reloads its list only when the number moved. Changes made
        here reload the list themselves.
        """
        try:
            counter = await self.run_db(change_counter)
        except StoreError:
            return  # busy or gone for a moment: ask again at the next tick
        if self._data_version is not None and counter != self._data_version:
            for screen in self.screen_stack:  # the list under an open dialog too
                changed = getattr(screen, "data_changed", None)
                if changed is not None:
                    changed()
        self._data_version = counter

    def may(self, action: str, route: Route | None = None) -> bool:
        """Whether the screens offer ``action`` (on this route's inquiries) to this person."""
        return self.grant.may(action, route.id if route else None,
                              route.kind if route else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys and commands of work the person's roles do not cover are not offered."""
        if self.login_origin is None:
            if action == "logout":
                return False  # a terminal: the OS account stays signed in
        elif self.staff is None:
            # A browser session before the login: the login screen (Tab moves through it
            # with the app's focus actions), its help, stopping; nothing else.
            return action in BEFORE_LOGIN
        elif action == "quit":
            return False  # F10 Afmelden instead
        if action == "switch_mode" and parameters:
            needs = MODE_ACTIONS.get(str(parameters[0]))
        else:
            needs = {"new_inquiry": "register"}.get(action)
        if needs is not None and not self.grant.may_some(needs):
            return False
        return True

    # --- app-wide actions ----------------------------------------------------------

    @property
    def intake_screen(self) -> IntakeScreen | None:
        """The registration form, one key away from every other screen (None for someone
        who does not register)."""
        try:
            return self.get_screen_stack("intake")[0]
        except (KeyError, IndexError):
            return None

    async def action_new_inquiry(self) -> None:
        if isinstance(self.screen, ChoiceDialog | HelpScreen | CommandPalette):
            return
        if self.current_mode != "intake":
            await self.switch_mode("intake")
        while self.screen is not self.intake_screen:
            self.pop_screen()
        self.intake_screen.request_new()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        screen = self.screen
        # Every key of the screen (also those for another moment, e.g. another view),
        # but not what the person's roles do not cover.
        needs = getattr(screen, "ROLE_ACTIONS", {})
        own = [b for b in screen.BINDINGS
               if b.action not in needs or self.grant.may_some(needs[b.action])]
        offered = [b for b in self.BINDINGS if self.check_action(*parse(b.action)[1:])]
        groups = [(getattr(screen, "HELP_TITLE", "Dit scherm"), own), ("Overal", offered)]
        self.push_screen(HelpScreen([(title, b) for title, b in groups if b], self.keys_of))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(Palette(placeholder="Zoek een opdracht…", id="--command-palette"))

    def action_change_theme(self) -> None:
        self.push_screen(Palette(providers=[ThemeProvider], placeholder="Zoek een thema…"))

    def action_help_quit(self) -> None:
        """Ctrl+C (out of habit, to stop): say how balie stops, in Dutch."""
        key = "F10" if self.login_origin is not None else "Ctrl+Q"
        self.notify(f"Stoppen doet u met {key}; een half formulier blijft als concept "
                    "bewaard.", title="balie stoppen?", markup=False)

    async def action_quit(self) -> None:
        self._leave("Afsluiten", "start")

    async def _quit_keeping_draft(self, intake: IntakeScreen) -> None:
        if await intake.write_draft():
            self.exit()

    @property
    def current_inquiry_id(self) -> int | None:
        """The number of the inquiry being worked on, for a crash report: asked of the
        screens from the front back (a screen that knows one defines a property of this
        name: the inquiry being corrected, the row under the cursor, the one shown)."""
        try:
            for screen in reversed(self.screen_stack):
                number = getattr(screen, "current_inquiry_id", None)
                if number is not None:
                    return int(number)
        except Exception:  # a crash report must not fail on a half-closed screen
            return None
        return None

    async def action_logout(self) -> None:
        """End a browser session: the process stops, so nothing of this staff member
        (screens, lists, what was typed) stays behind for the next person at that
        browser, who gets textual-serve's page to start a new session and log in."""
        if not isinstance(self.screen, ChoiceDialog):
            self._leave("Afmelden", "aanmelding")

    def _leave(self, title: str, next_time: str) -> None:
        """Stop, asking first when a registration is half typed (kept as a draft)."""
        intake = self.intake_screen
        if intake is None or not intake.is_dirty():
            self.exit()
            return

        def answered(answer: str) -> None:
            if answer == "yes":
                self.run_worker(self._quit_keeping_draft(intake))

        self.push_screen(ChoiceDialog(
            title,
            f"Er staat een registratie die nog niet is opgeslagen. {title}? Het concept "
            f"blijft bewaard en wordt bij de volgende {next_time} aangeboden."), answered)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's crash report shows the error's message and the local variables of
        # every frame, and renders an error with __rich__ itself: a caller's name or
        # phone number could end up on the screen or in a terminal log. balie's report
        # has the error's type, the code's frames and the inquiry number, nothing else.
        from textual.css.errors import StylesheetError
        from textual.worker import WorkerFailed

        if isinstance(error.error if isinstance(error, WorkerFailed) else error, AppClosing):
            return  # work asked of a closing app: dropped (see run_db)
        if isinstance(error, StylesheetError):
            super()._handle_exception(error)  # balie's own CSS: no data, Textual's report
            return
        if self._crash is None:
            self._crash, self._crash_inquiry = error, self.current_inquiry_id
        self._return_code = EX_SOFTWARE
        if self._exception is None:  # what run_test re-raises for a test framework
            self._exception = error
            self._exception_event.set()
        self._fatal_error()

    def _fatal_error(self) -> None:
        self.bell()
        if self._crash is not None and not self._exit_renderables:
            self._exit_renderables.append(Text(crash_report(
                self._crash, inquiry_id=self._crash_inquiry, typed_work_kept=True)))
        self._close_messages_no_wait()

    def panic(self, *renderables) -> None:
        """Textual panics with a Rich traceback (its message included) when its own
        input thread fails: that is reported the way :meth:`_handle_exception` does."""
        from rich.traceback import Traceback

        safe = []
        for renderable in renderables:
            if isinstance(renderable, Traceback) and renderable.trace.stacks:
                stack = renderable.trace.stacks[-1]
                renderable = Text(report_from_trace(
                    stack.exc_type,
                    [(frame.filename, frame.lineno, frame.name) for frame in stack.frames],
                    inquiry_id=self.current_inquiry_id, typed_work_kept=True))
            safe.append(renderable)
        super().panic(*safe)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every key binding of the app and the current screen,
        under the word the footer shows ("Export"), with what it does and its keys."""
        seen = set()
        for bindings, namespace in ((screen.BINDINGS, screen), (self.BINDINGS, self)):
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if binding.action in seen or binding.action == "command_palette":
                    continue
                _, name, parameters = parse(binding.action)
                if namespace.check_action(name, parameters) is not True:
                    continue
                seen.add(binding.action)
                title = binding.description
                if binding.group is not None:  # the footer shows the group's name
                    title += f" ({binding.group.description.lower()})"
                keys = self.keys_of(binding)
                yield SystemCommand(
                    title,
                    f"{binding.tooltip or binding.description} · toets\u00a0{keys}",
                    functools.partial(self.run_action, binding.action, namespace),
                )
        reference = getattr(screen, "reference", None) or getattr(
            self.intake_screen, "reference", None)
        for team in reference.teams if reference else ():
            if not team.retired and self.may("team_list", team):
                name = markup_literal(team.name)  # the palette reads markup
                yield SystemCommand(f"Werkvoorraad {name}", f"De lijst van {name} (F3, dan t)",
                                    functools.partial(self.open_team, team.id))
        yield SystemCommand("Thema", "Kies de kleuren van balie", self.action_change_theme)

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the footer: "^n", "F8", "Esc", "←" (also after the keymap)."""
        if binding.key_display:
            return binding.key_display
        *modifiers, key = binding.key.split("+")
        shown = KEY_NAMES.get(key, key.upper() if key.startswith("f") and len(key) > 1
                              else key)
        if modifiers == ["ctrl"]:
            return f"^{shown}"
        return "+".join([*(KEY_NAMES.get(m, m) for m in modifiers), shown])

    def keys_of(self, binding: Binding) -> str:
        """The keys of a binding as they work now (after the keymap), for people."""
        keys = self._keymap.get(binding.id, binding.key) if binding.id else binding.key
        if binding.key_display and keys == binding.key:
            return binding.key_display
        return key_label(keys)

    async def open_team(self, route_id: int) -> None:
        """The werkvoorraad of one team (from the command palette)."""
        await self.switch_mode("inbox")
        while len(self.screen_stack) > 1:  # a details screen open on the list
            self.pop_screen()
        self.get_screen_stack("inbox")[0].show_team(route_id)

    def on_unmount(self) -> None:
        self._closing = True  # run_db drops what is still asked; this thread ends below
        if self.login_origin is not None and self.actor is not None:
            # The end of a browser session, however it ended (F10, the tab closed, the
            # server stopped), on the database thread like every other database call.
            ended = self._db_thread.submit(_as_store_errors, sign_out, self.db, self.actor,
                                           self.clock())
            try:
                ended.result()
            except StoreError:
                pass  # the session ends anyway; the log then lacks only its end
        self._db_thread.shutdown(wait=True)
        self.db.close()


def _overview() -> Screen:
    # Imported when first opened: the desk should not wait for the team lead's screen.
    from balie.screens.overview import OverviewScreen

    return OverviewScreen()


def _inbox() -> Screen:
    from balie.screens.inbox import InboxScreen

    return InboxScreen()


def _callbacks() -> Screen:
    from balie.screens.callbacks import CallbacksScreen

    return CallbacksScreen()


def _directory() -> Screen:
    from balie.screens.directory import DirectoryScreen

    return DirectoryScreen()


def _audit() -> Screen:
    from balie.screens.audit import AuditScreen

    return AuditScreen()


def _as_store_errors(fn: Callable[..., T], db: BalieDatabase, *args: Any,
                     **kwargs: Any) -> T:
    """Run a data-layer call; a SQLite or OS error becomes the StoreError that says what
    happened (busy, disk full, read-only, damaged), which the screen shows."""
    try:
        return fn(db, *args, **kwargs)
    except (sqlite3.Error, OSError) as error:
        raise store_error(error, db.path) from error


def _without_textual_logs(app: App) -> None:
    """Switch off Textual's developer outputs: they would copy personal data.

    ``TEXTUAL_LOG`` appends every key pressed and every field's value to a file (readable
    by anyone, with the usual umask), ``TEXTUAL_DEBUG`` prints log calls, ``TEXTUAL=
    devtools`` sends them to a console, ``TEXTUAL_SCREENSHOT`` saves the screen as SVG.
    """
    from textual import constants

    constants.LOG_FILE = None
    constants.DEBUG = False
    constants.SCREENSHOT_DELAY = -1
    app.devtools = None
    app._devtools_redirector = None


def make_app(
    db_path: Path | str,
    *,
    username: str | None = None,
    clock: Callable[[], datetime] = utc_now,
    origin: str | None = None,
    login: bool = False,
) -> BalieApp:
    """Build the app for the database at ``db_path``: the CLI, tests and snapshots use this.

    Opens (creating or upgrading) the database before the app starts, so a problem with
    it is reported as a message, not inside a half-started screen. With ``login`` (a
    browser session of balie serve) nobody is signed in yet: the app starts at the login
    screen, and ``origin`` says where the browser is (balie serve passes ``web`` and its
    address; without it, this host and terminal, as for a terminal's sign-in).
    """
    origin = terminal_origin() if origin is None else parse_origin(origin)
    access = access_from()
    db = open_database(db_path, access=access)
    try:
        if login:
            staff = actor = None
        else:
            staff, actor = sign_in(db, username or os_username(), origin, clock(),
                                   owns_file=owns_file(db.path))
        demo = is_demo(db)
        keymap = keymap_setting(db)
    except BaseException:
        db.close()
        raise
    return BalieApp(db, staff, actor, clock, demo=demo, access=access,
                    login_origin=origin if login else None, keymap=keymap)
