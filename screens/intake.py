"""The intake screen: register an inquiry at the counter or during a phone call.

The desk lives in this screen all day. Everything is reachable from the keyboard; the
form never loses what was typed (each change is kept as a draft in the database), and
bad input is explained at the field where it was typed. The form's fields and what
they mean are in :mod:`balie.screens.intake_form`, today's list in
:mod:`balie.screens.today`, drafts in :mod:`balie.screens.drafts`; this module saves,
corrects and ties them together.
"""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, TextArea
from textual.worker import Worker, WorkerState

from balie.db.errors import StoreError
from balie.db.inquiries import (
    correct_inquiry,
    get_inquiry,
    history,
    last_channel_code,
    save_inquiry,
)
from balie.db.reference import load_reference
from balie.db.rules import load_rule_set
from balie.db.settings import office_settings
from balie.domain.intake import IntakeCheck, IntakeDraft, draft_from_inquiry
from balie.domain.models import DirectoryEntry, Reference
from balie.domain.parsing import describe_moment
from balie.domain.reference_data import ROUTE_DESK, ROUTE_EXTERNAL
from balie.domain.routing import InvalidRules, RuleSet
from balie.screens.dialog import ChoiceDialog, confirm_all
from balie.screens.drafts import DraftKeeper
from balie.screens.history import HistoryScreen
from balie.screens.intake_form import IntakeForm
from balie.screens.intake_messages import wrong_fields
from balie.screens.today import TodayList
from balie.widgets import ChoiceField, StableFooter, StatusLine

NARROW = 110
"""Below this width the list of today's registrations moves under the form."""
RELOAD_EVERY = 120
"""Seconds between looks for changed reference data and rules (made by beheer)."""
SLOW_SAVE = 0.15
"""Seconds after which a save that is still running says so (another desk holds a lock)."""


class IntakeScreen(Screen):
    """Register a new inquiry, or correct one of today's."""

    CSS_PATH = "intake.tcss"
    HELP_TITLE = "Registreren"
    BINDINGS = [
        Binding("ctrl+s", "save", "Opslaan", id="intake.save",
                tooltip="De registratie opslaan; het formulier is daarna leeg voor de volgende"),
        Binding("ctrl+r", "accept_suggestion", "Voorstel", id="intake.accept",
                tooltip="De voorgestelde route overnemen"),
        # F9: in a browser Ctrl+T opens a new tab and never reaches balie.
        Binding("ctrl+t,f9", "choose_route", "Route", id="intake.route",
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
        self.form = IntakeForm(id="form")
        self.today = TodayList(id="today")
        self.drafts = DraftKeeper(self)
        self.saving = False
        """A save runs: keys are dropped and no draft is written meanwhile."""
        self._last_channel = "phone"

    @property
    def reference(self) -> Reference | None:
        """Reference data, loaded when the screen mounts."""
        return self.form.reference

    @property
    def rules(self) -> RuleSet | None:
        return self.form.rules

    @property
    def correcting(self) -> int | None:
        """The inquiry being corrected, or None for a new registration."""
        return self.form.correcting

    @property
    def current_inquiry_id(self) -> int | None:
        """The inquiry being corrected (a new one has no number yet); for crash reports."""
        return self.form.correcting

    def is_dirty(self) -> bool:
        """Is there typed work that would be lost by clearing the form?"""
        return self.form.is_dirty()

    async def write_draft(self) -> bool:
        """Keep the form as this app's draft now (before quitting)."""
        return await self.drafts.write()

    # --- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Decided before the first styling: toggling it later restyles every widget.
        self.set_class(self.app.size.width < NARROW, "narrow", update=False)
        yield Header()
        with Horizontal(id="body"):
            yield self.form
            yield self.today
        yield StatusLine(id="status")
        yield StableFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#village").focus()
        self.load()
        self.set_interval(RELOAD_EVERY, self.reload_reference)

    def data_changed(self) -> None:
        """Another desk or a team changed something: today's list shows who has what."""
        self.background(self.today.reload(), group="today")

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
        reference = await app.run_db(load_reference)
        try:
            rules = await app.run_db(load_rule_set)
        except InvalidRules as error:
            rules = None
            self.set_status(
                "Routeringsregels kloppen niet met de referentiegegevens; er komt geen "
                f"voorstel. Laat beheer ze nakijken: {error.problems[0]}",
                "error",
            )
        self._last_channel = await app.run_db(last_channel_code, app.staff.id) or "phone"
        form = self.form
        _, form.office = await app.run_db(office_settings)
        form.default_channel = self._last_channel
        form.configure(reference, rules)
        if self.drafts.id is None and form.correcting is None and not form.is_dirty():
            form.fill(IntakeDraft(channel=self._last_channel))
        await self.today.reload()
        await self.drafts.offer_orphans(at_start=True)

    @work(exclusive=True, group="reload", exit_on_error=False)
    async def reload_reference(self) -> None:
        """Pick up what beheer changed meanwhile (names, retired entries, new rules)."""
        reference = await self.app.run_db(load_reference)
        _, self.form.office = await self.app.run_db(office_settings)
        try:
            rules = await self.app.run_db(load_rule_set)
        except InvalidRules:
            rules = None
        if reference != self.reference or rules != self.rules:
            self.form.configure(reference, rules)
            self.form.refresh_check()

    # --- events --------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(ChoiceField.Changed)
    def form_changed(self, event) -> None:
        # (The form interprets the change; the screen keeps the draft and looks up.)
        self.drafts.schedule()
        control = getattr(event, "control", None)
        if control is not None and control.id in ("name", "phone", "consent"):
            self.form.schedule_lookup()
        self.status.clear("key")  # a key that did not fit: this one did

    @on(IntakeForm.Checked)
    def checked(self, event: IntakeForm.Checked) -> None:
        if self.status.about == "refused":  # after a refused save: what is left to do
            self.say_refused(event.result)

    def say_refused(self, result: IntakeCheck) -> None:
        if result.errors:
            self.set_status(f"Niet opgeslagen: kijk {wrong_fields(result)} na (de rode "
                            "meldingen onder die velden).", "error", about="refused")
        else:
            self.set_status("Alles klopt nu: Ctrl+S slaat op.", about="refused")

    @on(ChoiceField.Refused)
    def choice_refused(self, event: ChoiceField.Refused) -> None:
        keys = " of ".join(o.keys[0] for o in event.field.options if o.keys)
        self.set_status(f"Dit veld kiest u met één toets ({keys}), of met spatie; Tab gaat "
                        "naar het volgende veld.", "error", about="key")

    @on(DataTable.RowSelected, "#today-table")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.open_correction(int(event.row_key.value))

    # --- actions -------------------------------------------------------------------

    @property
    def accepts_keys(self) -> bool:
        """False while a save runs: typing then would land in a form about to be cleared."""
        return not self.saving

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            return self.correcting is not None
        if action == "toggle_list":  # the footer has room for one of the two
            return self.correcting is None
        return True

    def action_accept_suggestion(self) -> None:
        result = self.form.result
        if result is None or result.suggestion is None:
            self.set_status("Nog geen voorstel: vul eerst dorp, leeftijd en onderwerp in.",
                            "error")
            return
        suggestion = result.suggestion
        self.query_one("#route", ChoiceField).value = suggestion.route.code
        referral = self.query_one("#referral", Input)
        if suggestion.referral_id and not referral.value.strip():
            referral.value = self.reference.directory[suggestion.referral_id].name
        self.set_status(f"Route: {suggestion.route.name} (voorstel overgenomen).", about="form")
        if suggestion.route.kind == "external":
            self.call_after_refresh(referral.focus)

    def take_referral(self, entry: DirectoryEntry) -> None:
        """An entry chosen on the sociale kaart (F6) goes into the form: added to the
        Naar field, on the route Extern doorverwezen unless the form is already on a
        route that names entries (at the desk: information given about it)."""
        form = self.form
        field = self.query_one("#referral", Input)
        named = [e.name for e in form.result.referrals] if form.result else []
        if entry.name not in named:
            field.value = ", ".join([*named, entry.name]) if named else entry.name
        route = self.query_one("#route", ChoiceField)
        kinds = {r.code: r.kind for r in self.reference.routes.all}
        if kinds.get(route.value) not in (ROUTE_EXTERNAL, ROUTE_DESK):
            route.value = next(r.code for r in self.reference.routes.active
                               if r.kind == ROUTE_EXTERNAL)
        self.set_status(f"{entry.name} staat in het formulier (van de sociale kaart).", "ok")
        self.call_after_refresh(field.focus)

    def action_choose_route(self) -> None:
        # At once (not after this key): "Ctrl+T 4" typed in one go picks route 4.
        self.set_focus(self.query_one("#route", ChoiceField))
        self.set_status("Kies de route met een cijfer of beginletter.", about="form")

    def action_toggle_list(self) -> None:
        table = self.today.table
        # At once (not after this key): "Ctrl+L Enter" typed in one go opens the row.
        self.set_focus(self.query_one("#village") if table.has_focus else table)

    def action_cancel(self) -> None:
        if self.today.table.has_focus:
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

    async def start_new(self, *, offer_drafts: bool = True) -> None:
        """Clear the form for the next caller (discarding the current draft); a draft
        that waited for a free form is offered then (unless a correction is opened)."""
        async with self.drafts.lock:
            await self.drafts.discard()
            self.form.fill(IntakeDraft(channel=self._last_channel))
        # What was said about the form before is about another one now.
        self.status.clear("form", "refused", "key")
        if offer_drafts:
            self.drafts.form_free()
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
            await self.start_new(offer_drafts=False)
            self.form.fill(draft_from_inquiry(inquiry, self.reference))
            self.query_one("#village").focus()
            self.set_status(f"Nummer {inquiry_id} geopend voor correctie; Ctrl+S slaat op.",
                            about="form")

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
        if self.saving or self.reference is None:
            return
        form = self.form
        draft = form.read_draft()
        result = form.check(for_save=True)
        form.result = result
        if result.errors or result.data is None:
            form.refused(result)
            self.say_refused(result)
            return
        # What the desk must confirm first, asked one after the other.
        questions = []
        if result.bsn:
            questions.append(("Mogelijk een BSN",
                              "De omschrijving bevat een nummer dat een BSN kan zijn. Een "
                              "BSN hoort niet in balie. Toch opslaan?"))
        if result.off_hours and (draft.correction_of is None or form.changed("callback")):
            when = describe_moment(result.callback.at, self.app.clock())
            questions.append(("Terugbellen buiten werktijd",
                              f"Terugbellen {when}: {result.off_hours}. Toch zo opslaan?"))
        if result.followup_off_hours and (draft.correction_of is None
                                          or form.changed("followup")):
            when = describe_moment(result.followup.at, self.app.clock())
            questions.append(("Nabellen buiten werktijd",
                              f"Nabellen {when}: {result.followup_off_hours}. Toch zo "
                              "opslaan?"))
        confirm_all(self.app, questions, lambda: self.store(draft, result))

    @work(exclusive=True, group="save", exit_on_error=False)
    async def store(self, draft: IntakeDraft, result: IntakeCheck) -> None:
        app = self.app
        # Nothing typed while the save runs may land in a form about to be cleared: the
        # fields drop keys while `accepts_keys` is false. (Taking the focus away, or
        # disabling the form, would rebuild the footer or restyle every field, and cost
        # more than the save itself.)
        self.saving = True
        slow = self.set_timer(SLOW_SAVE, lambda: self.set_status("Bezig met opslaan…"))
        try:
            async with self.drafts.lock:
                self.drafts.stop()
                now = app.clock()
                if draft.correction_of is None:
                    saved = await app.run_db(save_inquiry, result.data, app.actor, now,
                                             draft_id=self.drafts.id)
                    ref = self.reference
                    route = ref.routes[saved.route_id].name
                    if saved.referral_ids:
                        names = ", ".join(ref.directory[e].name for e in saved.referral_ids)
                        route += f" ({names})"
                    message = f"Opgeslagen: nummer {saved.id} → {route}" + (
                        ", spoed" if saved.urgent else "") + "."
                    chosen = saved.id
                else:
                    changed = await app.run_db(
                        correct_inquiry, draft.correction_of, result.data, app.actor, now,
                        draft.reason.strip() or None,
                        expected_version=draft.expected_version,
                        draft_id=self.drafts.id,
                    )
                    message = (f"Correctie van nummer {draft.correction_of} opgeslagen "
                               f"({len(changed)} wijziging(en))." if changed else
                               f"Nummer {draft.correction_of}: geen wijzigingen.")
                    chosen = draft.correction_of
                if draft.correction_of is None:  # the desk's channel, not an old one's
                    self._last_channel = self.form.default_channel = draft.channel
                self.drafts.forget()
        except StoreError as error:
            kept = ("ook als concept in de database" if self.drafts.persisted is not None
                    and self.drafts.persisted == self.form.read_draft().storable().to_json()
                    else "niet in de database: laat balie open")
            self.set_status(f"Niet opgeslagen: {error.message} Wat u typte staat nog in "
                            f"dit formulier, {kept}.", "error")
            self.query_one("#village").focus()
            return
        finally:
            slow.stop()
            self.saving = False
        self.form.fill(IntakeDraft(channel=self._last_channel))
        village = self.query_one("#village")
        if not village.has_focus:
            village.focus()
        self.set_status(message, "ok")
        # Ctrl+L, Enter opens the registration just saved, never the one before it.
        await self.today.reload(select=chosen)
        self.drafts.form_free()

    # --- status line ---------------------------------------------------------------

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def set_status(self, text: str, kind: str = "info", *, about: str | None = None) -> None:
        self.status.show(text, kind, about=about)
