"""The intake form: register an inquiry at the counter or during a phone call.

The desk lives in this screen all day. Everything is reachable from the keyboard; the
form never loses what was typed (each change is kept as a draft in the database), and
bad input is explained at the field where it was typed. All interpretation of the
fields is done by :mod:`balie.domain.intake`; this module only shows it.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static, TextArea
from textual.worker import Worker, WorkerState

from balie.db.drafts import (
    claim_draft,
    delete_draft,
    expire_drafts,
    orphaned_drafts,
    save_draft,
)
from balie.db.errors import StoreError
from balie.db.inquiries import (
    EarlierContacts,
    correct_inquiry,
    desk_inquiries,
    earlier_contacts,
    get_inquiry,
    history,
    last_channel_code,
    save_inquiry,
)
from balie.db.reference import load_reference
from balie.db.rules import load_rule_set
from balie.domain.intake import (
    GENDERS,
    IntakeCheck,
    IntakeDraft,
    check,
    draft_from_inquiry,
    last_piece_matches,
    referral_candidates,
    single_matches,
    topic_candidates,
    village_candidates,
)
from balie.domain.models import Reference
from balie.domain.parsing import describe_moment
from balie.domain.routing import InvalidRules, RuleSet
from balie.domain.text import fold
from balie.domain.timekeeping import local, local_day, local_days_span
from balie.screens.dialog import Answer, ChoiceDialog
from balie.screens.history import HistoryScreen
from balie.widgets import (
    ChoiceField,
    FormInput,
    FormTextArea,
    LookupInput,
    Option,
    StableFooter,
    StatusLine,
)

YES_NO = [Option("", ("n",), "nee"), Option("1", ("j", "y"), "ja")]
GENDER_OPTIONS = [Option(code, (key,), label) for code, key, label in GENDERS]
NARROW = 110
"""Below this width the list of today's registrations moves under the form."""
DRAFT_DELAY = 0.3
"""Seconds between a change and writing the draft: at most this much typing is at risk."""
RELOAD_EVERY = 120
"""Seconds between looks for changed reference data and rules (made by beheer)."""
SLOW_SAVE = 0.15
"""Seconds after which a save that is still running says so (another desk holds a lock)."""
LOOKUP_DELAY = 0.4
"""Seconds of quiet in the name or phone field before earlier contacts are looked up."""

# Where each field's message is shown: the message line under its row.
MESSAGE_AREA = {
    "channel": "msg-who", "village": "msg-who", "age": "msg-who", "gender": "msg-who",
    "topics": "msg-topics",
    "summary": "msg-summary", "urgent": "msg-summary",
    "route": "msg-route", "referral": "msg-route",
    "consent": "msg-personal", "name": "msg-personal", "phone": "msg-personal",
    "callback": "msg-personal", "postcode": "msg-personal",
    "reason": "msg-reason",
}
FIELDS = tuple(MESSAGE_AREA)


class IntakeScreen(Screen):
    """Register a new inquiry, or correct one of today's."""

    CSS_PATH = "intake.tcss"
    HELP_TITLE = "Registreren"
    BINDINGS = [
        Binding("ctrl+s", "save", "Opslaan", id="intake.save",
                tooltip="De registratie opslaan; het formulier is daarna leeg voor de volgende"),
        Binding("ctrl+r", "accept_suggestion", "Voorstel", id="intake.accept",
                tooltip="De voorgestelde route overnemen"),
        Binding("ctrl+t", "choose_route", "Route", id="intake.route",
                tooltip="Een andere route kiezen (daarna een cijfer of beginletter)"),
        Binding("ctrl+l", "toggle_list", "Lijst", id="intake.today",
                tooltip="Naar de lijst van vandaag (Enter opent een registratie voor correctie)"),
        Binding("ctrl+g", "history", "Historie", id="intake.history",
                tooltip="De geschiedenis van de registratie die gecorrigeerd wordt"),
        Binding("escape", "cancel", "Wis", id="intake.cancel", key_display="Esc",
                tooltip="Het formulier leegmaken of de correctie annuleren (vraagt eerst)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reference: Reference | None = None
        """Reference data, loaded when the screen mounts."""
        self.rules: RuleSet | None = None
        """The routing rules; None when they no longer fit the reference data."""
        self.result: IntakeCheck | None = None
        """What the form currently means (see balie.domain.intake.check)."""
        self.correcting: int | None = None
        """The inquiry being corrected, or None for a new registration."""
        self.touched: set[str] = set()
        """Fields the desk has left at least once: only these show their errors."""
        self.save_attempted = False
        """After a refused save, missing fields stay marked until the form is saved."""
        self.contacts: list[EarlierContacts] = []
        self.draft_id: int | None = None
        self._baseline = IntakeDraft().to_json()
        """The form's content when it was (re)filled; a difference is unsaved work."""
        self._persisted: str | None = None
        self._draft_lock = asyncio.Lock()
        self._draft_timer = None
        self._lookup_timer = None
        self._saving = False
        self._check_pending = False
        self._shown_mode: int | None | bool = False
        """The mode (the corrected inquiry, or None) the title shows; False before mount."""
        self._shown: dict[str, Text] = {}
        """What each message line shows now, so unchanged lines are not redrawn."""
        self._last_channel = "phone"

    # --- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Decided before the first styling: toggling it later restyles every widget.
        self.set_class(self.app.size.width < NARROW, "narrow", update=False)
        yield Header()
        with Horizontal(id="body"):
            with VerticalScroll(id="form"):
                yield Static(id="mode")
                with Horizontal(classes="row"):
                    yield Label("Kanaal", classes="label")
                    yield ChoiceField([Option("phone", ("t",), "Telefoon")], id="channel")
                    yield Label("Dorp", classes="label-inline")
                    yield LookupInput(placeholder="bei, hoog, n-b", id="village", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Leeftijd", classes="label")
                    yield FormInput(placeholder="78 of 1948", id="age", compact=True)
                    yield Label("Geslacht", classes="label-inline")
                    yield ChoiceField(GENDER_OPTIONS, id="gender")
                yield Static(id="msg-who", classes="message")
                with Horizontal(classes="row"):
                    yield Label("Onderwerp", classes="label")
                    yield LookupInput(placeholder="beginletters of nummers: fin, 2",
                                      id="topics", multi=True, compact=True)
                yield Static(id="msg-topics", classes="message")
                with Horizontal(classes="row summary-row"):
                    yield Label("Omschrijving", classes="label")
                    yield FormTextArea(id="summary", compact=True, soft_wrap=True)
                    yield Label("Spoed", classes="label-inline")
                    yield ChoiceField(YES_NO, id="urgent")
                yield Static(id="msg-summary", classes="message")
                yield Static(id="suggestion")
                with Horizontal(classes="row route-row"):
                    yield Label("Route", classes="label")
                    yield ChoiceField([Option("desk", ("4",), "Balie")], value="", inline=True,
                                      allow_empty=True, id="route")
                with Horizontal(classes="row", id="referral-row"):
                    yield Label("Naar", classes="label")
                    yield LookupInput(placeholder="verwijsadres", id="referral", compact=True)
                yield Static(id="msg-route", classes="message")
                with Horizontal(classes="row"):
                    yield Label("Toestemming", classes="label")
                    yield ChoiceField(YES_NO, id="consent")
                    yield Label("Naam", classes="label-inline")
                    yield FormInput(id="name", compact=True)
                    yield Label("Telefoon", classes="label-inline")
                    yield FormInput(placeholder="06-12345678", id="phone", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Terugbellen", classes="label")
                    yield FormInput(placeholder="14:30, morgen 10u", id="callback", compact=True)
                    yield Static(id="callback-preview")
                    yield Label("Postcode", classes="label-inline")
                    yield FormInput(placeholder="9411 AB", id="postcode", compact=True)
                yield Static(id="msg-personal", classes="message")
                with Horizontal(classes="row", id="reason-row"):
                    yield Label("Reden", classes="label")
                    yield FormInput(placeholder="waarom deze correctie (optioneel)", id="reason",
                                compact=True)
                yield Static(id="msg-reason", classes="message")
            with Vertical(id="today"):
                yield Static(id="today-title")
                yield DataTable(id="today-table", cursor_type="row", zebra_stripes=True)
        yield StatusLine(id="status")
        yield StableFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#today-table", DataTable)
        table.add_columns("Tijd", "Nr", "Dorp", "Route", "Onderwerp")
        self.query_one("#today-title", Static).update("Vandaag")
        self.query_one("#referral-row").display = False
        self.query_one("#reason-row").display = False
        for area in set(MESSAGE_AREA.values()):
            self.query_one(f"#{area}").display = False
        self.show_mode()
        self.query_one("#village").focus()
        self.load()
        self.set_interval(RELOAD_EVERY, self.reload_reference)

    def data_changed(self) -> None:
        """Another desk or a team changed something: today's list shows who has what."""
        self.background(self.refresh_today(), group="today")

    def on_screen_resume(self) -> None:
        # Back from a team list or the callbacks, where this desk may have changed things.
        if self.reference is not None:
            self.data_changed()

    def on_resize(self, event: events.Resize) -> None:
        if self.has_class("narrow") != (event.size.width < NARROW):
            self.set_class(event.size.width < NARROW, "narrow")

    # --- failures ------------------------------------------------------------------

    def background(self, work, *, group: str = "default") -> None:
        """Run database work for this screen; a failure becomes a status line, not a crash."""
        self.run_worker(work, group=group, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, StoreError):
            self.set_status(f"Niet gelukt: {error.message}", "error")
        else:
            # A bug: say so without details (they could hold what was typed).
            self.log.error(f"worker {event.worker.name} failed: {type(error).__name__}")
            self.set_status(f"Er ging iets mis ({type(error).__name__}); wat u typte is "
                            "bewaard. Probeer het opnieuw of meld het aan beheer.", "error")
        if self.app.focused is None and self.app.screen is self:
            self.query_one("#village").focus()

    # --- loading -------------------------------------------------------------------

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self) -> None:
        app = self.app
        self.reference = await app.run_db(load_reference)
        try:
            self.rules = await app.run_db(load_rule_set)
        except InvalidRules as error:
            self.rules = None
            self.set_status(
                "Routeringsregels kloppen niet met de referentiegegevens; er komt geen "
                f"voorstel. Laat beheer ze nakijken: {error.problems[0]}",
                "error",
            )
        self._last_channel = await app.run_db(last_channel_code, app.staff.id) or "phone"
        self.configure_fields()
        if self.draft_id is None and self.correcting is None and not self.is_dirty():
            self.fill(IntakeDraft(channel=self._last_channel))
        await self.refresh_today()
        await app.run_db(expire_drafts, app.clock())
        drafts = await app.run_db(orphaned_drafts, app.staff.id, app.host, app.pid, app.clock())
        if drafts:
            self.offer_draft(drafts)

    @work(exclusive=True, group="reload", exit_on_error=False)
    async def reload_reference(self) -> None:
        """Pick up what beheer changed meanwhile (names, retired entries, new rules)."""
        reference = await self.app.run_db(load_reference)
        try:
            rules = await self.app.run_db(load_rule_set)
        except InvalidRules:
            rules = None
        if reference != self.reference or rules != self.rules:
            self.reference, self.rules = reference, rules
            self.configure_fields()
            self.refresh_check()

    def configure_fields(self) -> None:
        ref = self.reference
        q = self.query_one
        # A correction may keep retired entries; a new registration only offers active ones.
        q("#village", LookupInput).matcher = lambda text: single_matches(
            text, village_candidates(ref, self.correcting is not None))
        q("#referral", LookupInput).matcher = lambda text: single_matches(
            text, referral_candidates(ref, self.correcting is not None))
        q("#topics", LookupInput).matcher = lambda text: last_piece_matches(
            text, topic_candidates(ref, self.correcting is not None))
        channels = [Option(c.code, (c.name[0].lower(), str(n)), c.name)
                    for n, c in enumerate(ref.channels.active, start=1)]
        self.query_one("#channel", ChoiceField).set_options(channels)
        routes = ref.routes.active
        initials = [r.name[0].lower() for r in routes]
        self.query_one("#route", ChoiceField).set_options([
            Option(r.code,
                   (str(n),) + ((initials[n - 1],) if initials.count(initials[n - 1]) == 1
                                else ()),
                   r.name)
            for n, r in enumerate(routes, start=1)
        ])

    async def refresh_today(self) -> None:
        app = self.app
        today = local_day(app.clock())
        rows = await app.run_db(desk_inquiries, app.actor, local_days_span(today, today))
        table = self.query_one("#today-table", DataTable)
        # Another desk's change reloads this list too: the cursor stays on its row.
        chosen = None
        if table.row_count:
            chosen = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        table.clear()
        for row in rows:
            route = Text(row.route + (" !" if row.urgent else "") + row.progress)
            table.add_row(f"{local(row.registered_at):%H:%M}", str(row.id), Text(row.village),
                          route, Text(row.topics), key=str(row.id))
        if chosen is not None and chosen in table.rows:
            table.move_cursor(row=table.get_row_index(chosen))
        self.query_one("#today-title", Static).update(
            Text(f"Vandaag geregistreerd: {len(rows)}", style="bold")
        )

    # --- reading and filling the form ---------------------------------------------

    def read_draft(self) -> IntakeDraft:
        q = self.query_one
        return IntakeDraft(
            channel=q("#channel", ChoiceField).value,
            village=q("#village", Input).value,
            age=q("#age", Input).value,
            gender=q("#gender", ChoiceField).value,
            topics=q("#topics", Input).value,
            summary=q("#summary", TextArea).text,
            urgent=bool(q("#urgent", ChoiceField).value) and not q("#urgent", ChoiceField).locked,
            route=q("#route", ChoiceField).value,
            referral=q("#referral", Input).value,
            callback=q("#callback", Input).value,
            consent=bool(q("#consent", ChoiceField).value),
            name=q("#name", Input).value,
            phone=q("#phone", Input).value,
            postcode=q("#postcode", Input).value,
            reason=q("#reason", Input).value,
            correction_of=self.correcting,
            expected_version=self._expected_version if self.correcting else None,
        )

    def fill(self, draft: IntakeDraft) -> None:
        """Put a draft into the form; it becomes the baseline for 'unsaved changes'."""
        q = self.query_one
        q("#channel", ChoiceField).value = draft.channel or self._last_channel
        for name in ("village", "age", "topics", "referral", "callback", "name", "phone",
                     "postcode", "reason"):
            q(f"#{name}", Input).value = getattr(draft, name)
        q("#summary", TextArea).text = draft.summary
        q("#gender", ChoiceField).value = draft.gender
        q("#urgent", ChoiceField).locked = False
        q("#urgent", ChoiceField).value = "1" if draft.urgent else ""
        q("#route", ChoiceField).value = draft.route
        q("#consent", ChoiceField).value = "1" if draft.consent else ""
        self.correcting = draft.correction_of
        self._expected_version = draft.expected_version
        self.touched = set()
        self.save_attempted = False
        self.contacts = []
        self.show_mode()
        self.refresh_check()  # may lock spoed: part of what was opened, not a change
        self._baseline = self.read_draft().to_json()

    @property
    def current_inquiry_id(self) -> int | None:
        """The inquiry being corrected (a new one has no number yet); for crash reports."""
        return self.correcting

    def is_dirty(self) -> bool:
        """Is there typed work that would be lost by clearing the form?"""
        draft = self.read_draft()
        if self.correcting is None:
            return not draft.is_blank()
        return draft.to_json() != self._baseline

    def show_mode(self) -> None:
        if self._shown_mode == self.correcting:
            return  # nothing to redraw (the footer is costly to rebuild)
        self._shown_mode = self.correcting
        mode = self.query_one("#mode", Static)
        if self.correcting is None:
            mode.update(Text("Nieuwe vraag", style="bold"))
        else:
            mode.update(Text(f"Correctie van nummer {self.correcting}  (Esc: annuleren)",
                             style="bold reverse"))
        self.query_one("#reason-row").display = self.correcting is not None
        self.refresh_bindings()

    # --- interpretation ------------------------------------------------------------

    def refresh_check(self) -> None:
        """Interpret the form and show what it means, field by field."""
        if self.reference is None:
            return
        draft = self.read_draft()
        result = check(draft, self.reference, self._rules(), self.app.clock(),
                       for_save=self.save_attempted)
        self.result = result
        urgent = self.query_one("#urgent", ChoiceField)
        if result.urgent_reason:
            urgent.value, urgent.locked = "1", True
        elif urgent.locked:
            urgent.locked, urgent.value = False, ""
        route = self.query_one("#route", ChoiceField)
        route.suggested = result.suggestion.route.code if result.suggestion else None
        chosen_route = self.reference.routes.all and next(
            (r for r in self.reference.routes.all if r.code == route.value), None)
        self.query_one("#referral-row").display = bool(
            chosen_route and chosen_route.kind == "external")
        self.update_lookups()
        self.show_suggestion(result)
        preview = self.query_one("#callback-preview", Static)
        if result.callback and "callback" not in result.errors:
            preview.update(Text("→ " + describe_moment(result.callback.at, self.app.clock()),
                                style="bold"))
        else:
            preview.update("")
        self.show_messages(result)

    def _rules(self) -> RuleSet:
        if self.rules is not None:
            return self.rules
        return RuleSet((), (), self.reference)

    def update_lookups(self) -> None:
        for lookup in self.query(LookupInput):
            lookup.refresh_options()

    def show_suggestion(self, result: IntakeCheck) -> None:
        line = Text()
        if result.suggestion:
            line.append(f"Voorstel: {result.suggestion.route.name}", style="bold")
            line.append(f" — {result.suggestion.reason} ")
            line.append("(Ctrl+R neemt over)", style="dim")
        elif self.rules is None and self.reference is not None:
            line.append("Geen voorstel: de routeringsregels kloppen niet.", style="dim")
        else:
            line.append("Voorstel volgt na dorp, leeftijd en onderwerp.", style="dim")
        if result.urgent_reason:
            line.append(f"\nSpoed: {result.urgent_reason}.", style="bold red")
        self.query_one("#suggestion", Static).update(line)

    def show_messages(self, result: IntakeCheck) -> None:
        focused = self.focused.id if self.focused else None
        lines: dict[str, Text] = {area: Text() for area in set(MESSAGE_AREA.values())}

        def add(area: str, text: str, style: str) -> None:
            if lines[area]:
                lines[area].append("\n")
            lines[area].append(text, style=style)

        for name in FIELDS:
            area = MESSAGE_AREA[name]
            hint = self.lookup_hint(name, result) if name == focused else None
            if hint is not None:
                add(area, hint.plain, "italic")
            elif name in result.errors and (name in self.touched or name == focused
                                            and name in ("village", "topics", "referral")):
                add(area, f"✗ {result.errors[name]}", "bold red")
            if name in result.warnings:
                add(area, f"! {result.warnings[name]}", "yellow")
        for contact in self.contacts:
            basis = "op deze naam" if contact.basis == "naam" else f"op dit {contact.basis}"
            add("msg-personal",
                f"Eerder contact {basis}: {contact.count}×, laatst "
                f"{local(contact.last_at):%d-%m-%Y} ({contact.last_route}).", "cyan")
        for area, text in lines.items():
            if self._shown.get(area) == text:
                continue
            self._shown[area] = text
            widget = self.query_one(f"#{area}", Static)
            widget.update(text)
            widget.display = bool(text)

    def lookup_hint(self, name: str, result: IntakeCheck) -> Text | None:
        """The type-ahead line under a lookup field that has focus."""
        if name not in ("village", "topics", "referral"):
            return None
        lookup = self.query_one(f"#{name}", LookupInput)
        text = Text()
        if name == "topics":
            if result.topics:
                text.append("✓ " + ", ".join(t.name for t in result.topics))
            if not lookup.value.strip():
                numbered = [f"{n} {t.name}"
                            for n, t in enumerate(self.reference.topics.active, start=1)]
                text.append("  ".join(numbered))
        exact = len(lookup.options) == 1 and fold(lookup.options[0]) == fold(lookup.pending)
        if lookup.options and lookup.pending and not exact:
            if text:
                text.append("   ")
            text.append(f"{lookup.pending}: ")
            for index, option in enumerate(lookup.options[:6]):
                if index:
                    text.append(" · ")
                marker = "▸" if index == lookup.highlighted else ""
                text.append(marker + option)
            text.append("  (↓↑, Tab)")
        elif name == "village" and result.village:
            text.append(f"✓ {result.village.name} ({result.village.area_name})")
        elif name == "referral" and result.referral:
            text.append(f"✓ {result.referral.name}")
        elif name in result.errors and lookup.value.strip():
            text.append(f"✗ {result.errors[name]}")
        return text if text else None

    # --- events --------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(ChoiceField.Changed)
    def form_changed(self, event) -> None:
        # A burst of changes (typing, or filling the whole form) is interpreted once.
        if not self._check_pending:
            self._check_pending = True
            self.call_later(self._deferred_check)
        self.schedule_draft()
        control = getattr(event, "control", None)
        if control is not None and control.id in ("name", "phone", "consent"):
            self.schedule_lookup()

    def _deferred_check(self) -> None:
        self._check_pending = False
        self.refresh_check()

    @on(LookupInput.OptionsChanged)
    def options_moved(self) -> None:
        if self.result:
            self.show_messages(self.result)

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        if isinstance(event.input, LookupInput):
            event.input.complete()
        self.focus_next()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id in MESSAGE_AREA:
            self.touched.add(event.widget.id)
        if isinstance(event.widget, LookupInput):
            self.refresh_check()  # the field may have just been completed
            self.canonicalise(event.widget)
        if self.result:
            self.show_messages(self.result)

    def canonicalise(self, lookup: LookupInput) -> None:
        """Show what the typed letters were taken to mean: "e" becomes its full topic name."""
        result = self.result
        if result is None or lookup.id in result.errors:
            return
        names = {
            "village": [result.village.name] if result.village else [],
            "topics": [t.name for t in result.topics],
            "referral": [result.referral.name] if result.referral else [],
        }[lookup.id]
        if names:
            lookup.value = ", ".join(names)

    @on(ChoiceField.Refused)
    def choice_refused(self, event: ChoiceField.Refused) -> None:
        keys = " of ".join(o.keys[0] for o in event.field.options if o.keys)
        self.set_status(f"Dit veld kiest u met één toets ({keys}), of met spatie; Tab gaat "
                        "naar het volgende veld.", "error")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.result:
            self.show_messages(self.result)

    @on(DataTable.RowSelected, "#today-table")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.open_correction(int(event.row_key.value))

    # --- drafts --------------------------------------------------------------------

    def schedule_draft(self) -> None:
        if self._draft_timer is None and not self._saving:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._draft_due)

    def _draft_due(self) -> None:
        self._draft_timer = None
        self.persist_draft()

    @work(group="draft", exit_on_error=False)
    async def persist_draft(self) -> None:
        await self.write_draft()

    async def write_draft(self) -> bool:
        """Store the form as this app's draft, or remove it when nothing is typed.

        Name, phone, postcode and callback are kept only once consent is given: without
        it they may not be stored at all, not even in a draft. Returns False when the
        draft could not be written (the reason is on the status line).
        """
        async with self._draft_lock:
            if self._saving:
                return True
            app = self.app
            body = self.read_draft().storable().to_json()
            try:
                if not self.is_dirty():
                    if self.draft_id is not None:
                        await app.run_db(delete_draft, self.draft_id)
                        self.draft_id, self._persisted = None, None
                    return True
                if body != self._persisted:
                    self.draft_id = await app.run_db(save_draft, self.draft_id, app.staff.id,
                                                     app.host, app.pid, body, app.clock())
                    self._persisted = body
            except StoreError as error:
                self.set_status(f"Concept niet bewaard: {error.message}", "error")
                return False
            return True

    def offer_draft(self, drafts) -> None:
        newest = drafts[0]
        draft = IntakeDraft.from_json(newest.body)
        kind = (f"correctie van nummer {draft.correction_of}" if draft.correction_of
                else "registratie")
        others = len(drafts) - 1
        more = ""
        if others == 1:
            more = "\n(Er is nog 1 ander concept; dat komt hierna of bij een volgende start.)"
        elif others > 1:
            more = (f"\n(Er zijn nog {others} andere concepten; die komen hierna of bij een "
                    "volgende start.)")
        question = (f"Een niet-opgeslagen {kind} van {local(newest.updated_at):%d-%m %H:%M}: "
                    f"{draft.describe()}.{more}")

        async def answered(choice: str) -> None:
            app = self.app
            if choice == "restore":
                if await app.run_db(claim_draft, newest, app.host, app.pid):
                    self.fill(draft)
                    self.draft_id, self._persisted = newest.id, newest.body
                    self.set_status("Concept teruggehaald; kijk het na en sla op met Ctrl+S.")
                else:
                    self.set_status("Dat concept is al door een andere balie geopend.", "error")
            elif choice == "discard":
                await app.run_db(delete_draft, newest.id)
                self.set_status("Concept weggegooid.")
                # The form is still empty: offer the next one now.
                remaining = await app.run_db(orphaned_drafts, app.staff.id, app.host, app.pid,
                                             app.clock())
                if remaining:
                    self.offer_draft(remaining)

        if self.is_dirty():
            return  # never overwrite what is being typed; offered again next start
        self.app.push_screen(
            ChoiceDialog(
                "Niet-opgeslagen werk gevonden",
                question,
                (Answer("t", "Terughalen", "restore"), Answer("w", "Weggooien", "discard"),
                 Answer("l", "Later", "later")),
                cancel_value="later",
            ),
            lambda choice: self.background(answered(choice)),
        )

    # --- returning callers -----------------------------------------------------------

    def schedule_lookup(self) -> None:
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        self._lookup_timer = self.set_timer(LOOKUP_DELAY, self.lookup_contacts)

    @work(exclusive=True, group="lookup", exit_on_error=False)
    async def lookup_contacts(self) -> None:
        self._lookup_timer = None
        result = self.result
        draft = self.read_draft()
        phone = result.phone if result and "phone" not in result.errors else None
        name = result.name if result else None
        if not draft.consent or not (phone or name):
            # Looking a caller up uses their details: only with their consent.
            self.contacts = []
        else:
            app = self.app
            # The data layer logs every look-up and the registrations it showed.
            self.contacts = await app.run_db(earlier_contacts, app.actor, phone, name,
                                             app.clock(), self.correcting)
        if self.result:
            self.show_messages(self.result)

    # --- actions -------------------------------------------------------------------

    @property
    def accepts_keys(self) -> bool:
        """False while a save runs: typing then would land in a form about to be cleared."""
        return not self._saving

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            return self.correcting is not None
        if action == "toggle_list":  # the footer has room for one of the two
            return self.correcting is None
        return True

    def action_accept_suggestion(self) -> None:
        result = self.result
        if result is None or result.suggestion is None:
            self.set_status("Nog geen voorstel: vul eerst dorp, leeftijd en onderwerp in.",
                            "error")
            return
        suggestion = result.suggestion
        self.query_one("#route", ChoiceField).value = suggestion.route.code
        referral = self.query_one("#referral", Input)
        if suggestion.referral_id and not referral.value.strip():
            referral.value = self.reference.referral_targets[suggestion.referral_id].name
        self.set_status(f"Route: {suggestion.route.name} (voorstel overgenomen).")
        if suggestion.route.kind == "external":
            self.call_after_refresh(referral.focus)

    def action_choose_route(self) -> None:
        self.query_one("#route", ChoiceField).focus()
        self.set_status("Kies de route met een cijfer of beginletter.")

    def action_toggle_list(self) -> None:
        table = self.query_one("#today-table", DataTable)
        if table.has_focus:
            self.query_one("#village").focus()
        else:
            table.focus()

    def action_cancel(self) -> None:
        if self.query_one("#today-table", DataTable).has_focus:
            self.query_one("#village").focus()
            return
        if not self.is_dirty() and self.correcting is None:
            return
        if self.is_dirty():
            question = ("Correctie annuleren? De wijzigingen gaan verloren." if self.correcting
                        else "Formulier leegmaken? Wat u typte gaat verloren.")
            self.app.push_screen(ChoiceDialog("Leegmaken", question), self._clear_if_yes)
        else:
            self.background(self.start_new())

    def _clear_if_yes(self, answer: str) -> None:
        if answer == "yes":
            self.background(self.start_new())

    async def start_new(self) -> None:
        """Clear the form for the next caller (discarding the current draft)."""
        async with self._draft_lock:
            if self._draft_timer is not None:
                self._draft_timer.stop()
                self._draft_timer = None
            if self.draft_id is not None:
                await self.app.run_db(delete_draft, self.draft_id)
            self.draft_id, self._persisted = None, None
            self.fill(IntakeDraft(channel=self._last_channel))
        self.query_one("#village").focus()

    def request_new(self) -> None:
        """Ctrl+N: a new inquiry, asking first if that would throw work away."""
        if self.is_dirty():
            self.app.push_screen(
                ChoiceDialog("Nieuwe vraag", "Huidige invoer wissen en opnieuw beginnen?"),
                self._clear_if_yes,
            )
        else:
            self.background(self.start_new())

    def open_correction(self, inquiry_id: int) -> None:
        async def go(answer: str = "yes") -> None:
            if answer != "yes":
                return
            app = self.app
            inquiry = await app.run_db(get_inquiry, app.actor, inquiry_id, app.clock(),
                                       purpose="correctie geopend")
            await self.start_new()
            self.fill(draft_from_inquiry(inquiry, self.reference))
            self.query_one("#village").focus()
            self.set_status(f"Nummer {inquiry_id} geopend voor correctie; Ctrl+S slaat op.")

        if self.is_dirty():
            self.app.push_screen(
                ChoiceDialog("Correctie openen",
                             "Huidige invoer wissen en deze registratie openen?"),
                lambda answer: self.background(go(answer)),
            )
        else:
            self.background(go())

    def action_history(self) -> None:
        if self.correcting is None:
            return
        inquiry_id = self.correcting

        async def show() -> None:
            events_ = await self.app.run_db(history, self.app.actor, inquiry_id)
            self.app.push_screen(HistoryScreen(inquiry_id, events_, self.reference))

        self.background(show())

    def action_save(self) -> None:
        if self._saving or self.reference is None:
            return
        draft = self.read_draft()
        result = check(draft, self.reference, self._rules(), self.app.clock(), for_save=True)
        self.result = result
        if result.errors or result.data is None:
            self.save_attempted = True
            self.touched.update(FIELDS)
            self.show_messages(result)
            first = next(name for name in FIELDS if name in result.errors)
            self.query_one(f"#{first}").focus()
            count = len(result.errors)
            self.set_status(
                f"Niet opgeslagen: {count} {'veld klopt' if count == 1 else 'velden kloppen'} "
                "nog niet (zie de rode meldingen).", "error")
            return
        if result.bsn:
            self.app.push_screen(
                ChoiceDialog("Mogelijk een BSN",
                             "De omschrijving bevat een nummer dat een BSN kan zijn. Een BSN "
                             "hoort niet in balie. Toch opslaan?"),
                lambda answer: self.store(draft, result) if answer == "yes" else None,
            )
            return
        self.store(draft, result)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def store(self, draft: IntakeDraft, result: IntakeCheck) -> None:
        app = self.app
        # Nothing typed while the save runs may land in a form about to be cleared: the
        # fields drop keys while `accepts_keys` is false. (Taking the focus away, or
        # disabling the form, would rebuild the footer or restyle every field, and cost
        # more than the save itself.)
        self._saving = True
        slow = self.set_timer(SLOW_SAVE, lambda: self.set_status("Bezig met opslaan…"))
        try:
            async with self._draft_lock:
                if self._draft_timer is not None:
                    self._draft_timer.stop()
                    self._draft_timer = None
                now = app.clock()
                if draft.correction_of is None:
                    saved = await app.run_db(save_inquiry, result.data, app.actor, now,
                                             draft_id=self.draft_id)
                    ref = self.reference
                    route = ref.routes[saved.route_id].name
                    if saved.referral_target_id is not None:
                        route += f" ({ref.referral_targets[saved.referral_target_id].name})"
                    message = f"Opgeslagen: nummer {saved.id} → {route}" + (
                        ", spoed" if saved.urgent else "") + "."
                else:
                    changed = await app.run_db(
                        correct_inquiry, draft.correction_of, result.data, app.actor, now,
                        draft.reason.strip() or None,
                        expected_version=draft.expected_version,
                        draft_id=self.draft_id,
                    )
                    message = (f"Correctie van nummer {draft.correction_of} opgeslagen "
                               f"({len(changed)} wijziging(en))." if changed else
                               f"Nummer {draft.correction_of}: geen wijzigingen.")
                if draft.correction_of is None:  # the desk's channel, not an old one's
                    self._last_channel = draft.channel
                self.draft_id, self._persisted = None, None
        except StoreError as error:
            self.set_status(f"Niet opgeslagen: {error.message}", "error")
            self.query_one("#village").focus()
            return
        finally:
            slow.stop()
            self._saving = False
        self.fill(IntakeDraft(channel=self._last_channel))
        village = self.query_one("#village")
        if not village.has_focus:
            village.focus()
        self.set_status(message, "ok")
        await self.refresh_today()

    # --- status line ---------------------------------------------------------------

    def set_status(self, text: str, kind: str = "info") -> None:
        self.query_one("#status", StatusLine).show(text, kind)
