"""The registration form itself: its fields, what they mean, and the messages under them.

All interpretation of the fields is done by :mod:`balie.domain.intake`; this widget
reads the fields into an :class:`IntakeDraft`, fills them from one, and shows what
:func:`check` made of them (the suggested route, a message under each row). Saving,
drafts and corrections are the screen's (:mod:`balie.screens.intake`).
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static, TextArea

from balie.db.inquiries import EarlierContacts, earlier_contacts
from balie.domain.directory_search import NO_CONTEXT
from balie.domain.intake import (
    GENDERS,
    IntakeCheck,
    IntakeDraft,
    check,
    last_piece_matches,
    single_matches,
    topic_candidates,
    village_candidates,
)
from balie.domain.models import Reference
from balie.domain.parsing import describe_moment
from balie.domain.reference_data import ROUTE_DESK, ROUTE_EXTERNAL
from balie.domain.routing import RuleSet
from balie.domain.workhours import DEFAULT_OFFICE_HOURS, OfficeHours
from balie.plain import plain
from balie.screens.intake_messages import FIELDS, MESSAGE_AREA, field_messages
from balie.screens.intake_referral import referral_info, referral_matches
from balie.widgets import ChoiceField, FormInput, FormTextArea, LookupInput, Option

YES_NO = [Option("", ("n",), "nee"), Option("1", ("j", "y"), "ja")]
LOOKUP_DELAY = 0.4
"""Seconds of quiet in the name or phone field before earlier contacts are looked up."""
GENDER_OPTIONS = [Option(code, (key,), label) for code, key, label in GENDERS]

class IntakeForm(VerticalScroll):
    """The fields of one registration (new, or a correction of one of today's)."""

    class Checked(Message):
        """The form was interpreted again (after a change): ``result`` is what it means."""

        def __init__(self, result: IntakeCheck) -> None:
            super().__init__()
            self.result = result

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.reference: Reference | None = None
        """Reference data, set by the screen once loaded (see :meth:`configure`)."""
        self.rules: RuleSet | None = None
        """The routing rules; None when they no longer fit the reference data."""
        self.result: IntakeCheck | None = None
        """What the form currently means (see balie.domain.intake.check)."""
        self.correcting: int | None = None
        """The inquiry being corrected, or None for a new registration."""
        self.expected_version: int | None = None
        """The version of the corrected inquiry when it was opened."""
        self.touched: set[str] = set()
        """Fields the desk has left at least once: only these show their errors."""
        self.save_attempted = False
        """After a refused save, missing fields stay marked until the form is saved."""
        self.contacts: list[EarlierContacts] = []
        """Earlier registrations of this caller, shown under the personal details."""
        self.office: OfficeHours = DEFAULT_OFFICE_HOURS
        """The office hours all desks share: a callback outside them is questioned."""
        self.default_channel = "phone"
        """The channel a new form starts with (this desk's last)."""
        self._baseline = IntakeDraft().to_json()
        """The form's content when it was (re)filled; a difference is unsaved work."""
        self._check_pending = False
        self._lookup_timer = None
        self._shown_mode: int | None | bool = False
        """The mode (the corrected inquiry, or None) the title shows; False before mount."""
        self._shown: dict[str, Text] = {}
        """What each message line shows now, so unchanged lines are not redrawn."""

    def compose(self) -> ComposeResult:
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
            yield Label("Naar", classes="label", id="referral-label")
            yield LookupInput(placeholder="sociale kaart: naam, onderwerp of woord",
                              id="referral", multi=True, compact=True)
            yield Label("Nabellen", classes="label-inline")
            yield FormInput(placeholder="j, 2w", id="followup", compact=True)
        yield Static(id="referral-info", classes="message")
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

    def on_mount(self) -> None:
        self._lookups = list(self.query(LookupInput))
        self.query_one("#referral-row").display = False
        self.query_one("#referral-info").display = False
        self.query_one("#reason-row").display = False
        for area in set(MESSAGE_AREA.values()):
            self.query_one(f"#{area}").display = False
        self.show_mode()

    def configure(self, reference: Reference, rules: RuleSet | None) -> None:
        """Take (new) reference data and rules: the options of every field follow them."""
        self.reference, self.rules = reference, rules
        ref = reference
        q = self.query_one
        # A correction may keep retired entries; a new registration only offers active ones.
        q("#village", LookupInput).matcher = lambda text: single_matches(
            text, village_candidates(ref, self.correcting is not None))
        q("#referral", LookupInput).matcher = lambda text: referral_matches(
            text, ref, self.correcting is not None,
            self.result.context if self.result else NO_CONTEXT)
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

    # --- reading and filling -------------------------------------------------------

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
            followup=q("#followup", Input).value,
            callback=q("#callback", Input).value,
            consent=bool(q("#consent", ChoiceField).value),
            name=q("#name", Input).value,
            phone=q("#phone", Input).value,
            postcode=q("#postcode", Input).value,
            reason=q("#reason", Input).value,
            correction_of=self.correcting,
            expected_version=self.expected_version if self.correcting else None,
        )

    def fill(self, draft: IntakeDraft) -> None:
        """Put a draft into the form; it becomes the baseline for 'unsaved changes'."""
        q = self.query_one
        q("#channel", ChoiceField).value = draft.channel or self.default_channel
        for name in ("village", "age", "topics", "referral", "followup", "callback", "name",
                     "phone",
                     "postcode", "reason"):
            q(f"#{name}", Input).value = getattr(draft, name)
        q("#summary", TextArea).text = draft.summary
        q("#gender", ChoiceField).value = draft.gender
        q("#urgent", ChoiceField).locked = False
        q("#urgent", ChoiceField).value = "1" if draft.urgent else ""
        q("#route", ChoiceField).value = draft.route
        q("#consent", ChoiceField).value = "1" if draft.consent else ""
        self.correcting = draft.correction_of
        self.expected_version = draft.expected_version
        self.touched = set()
        self.save_attempted = False
        self.contacts = []
        self.show_mode()
        self.refresh_check()  # may lock spoed: part of what was opened, not a change
        self._baseline = self.read_draft().to_json()

    def changed(self, name: str) -> bool:
        """Whether field ``name`` differs from what the form was filled with."""
        return getattr(self.read_draft(), name) != getattr(
            IntakeDraft.from_json(self._baseline), name)

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
        self.screen.refresh_bindings()

    # --- interpretation ------------------------------------------------------------

    def check(self, *, for_save: bool) -> IntakeCheck:
        """What the form means now (``for_save``: every field that a save needs)."""
        return check(self.read_draft(), self.reference, self.rules_in_use(),
                     self.app.clock(), for_save=for_save, office=self.office)

    def refresh_check(self) -> None:
        """Interpret the form and show what it means, field by field."""
        if self.reference is None:
            return
        result = self.check(for_save=self.save_attempted)
        if self.result is None or self.result.context != result.context:
            self.query_one("#referral", LookupInput).forget()  # other suggestions
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
        kind = chosen_route.kind if chosen_route else None
        # Referred to (external), or information given about (desk): the sociale kaart.
        self.query_one("#referral-row").display = kind in (ROUTE_EXTERNAL, ROUTE_DESK)
        self.query_one("#referral-label", Label).update(
            "Info over" if kind == ROUTE_DESK else "Naar")
        info = referral_info(result, self.app.clock()) if kind else Text()
        self.show("referral-info", info)
        self.query_one("#referral-info").display = bool(info)
        if self.screen.focused is not None and self.screen.focused.id in ("referral",
                                                                          "followup"):
            # What the desk reads out is under the field: on a short screen, in view.
            self.call_after_refresh(self.query_one("#msg-route").scroll_visible,
                                    animate=False)
        self.update_lookups()
        self.show_suggestion(result)
        preview = Text()
        if result.callback and "callback" not in result.errors:
            preview = Text("→ " + describe_moment(result.callback.at, self.app.clock()),
                           style="bold")
        self.show("callback-preview", preview)
        self.show_messages(result)
        self.post_message(self.Checked(result))

    def refused(self, result: IntakeCheck) -> None:
        """A save was refused: every field's message shows; the first field with an
        error gets the focus, scrolled into view with its message under it."""
        self.result = result
        self.save_attempted = True
        self.touched.update(FIELDS)
        self.show_messages(result)
        first = next(name for name in FIELDS if name in result.errors)
        self.screen.set_focus(self.query_one(f"#{first}"))
        message = self.query_one(f"#{MESSAGE_AREA[first]}")
        self.call_after_refresh(self.scroll_to_widget, message, animate=False)

    def rules_in_use(self) -> RuleSet:
        if self.rules is not None:
            return self.rules
        return RuleSet((), (), self.reference)

    def update_lookups(self) -> None:
        for lookup in self._lookups:
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
        self.show("suggestion", line)

    def show(self, name: str, text: Text) -> None:
        """Put ``text`` in Static ``name`` only when it changed: every update of a line
        of automatic height lays the whole screen out again (most of a key's cost).
        The text may quote what was typed, a rule's reason or a name: shown as text."""
        text = plain(text, lines=True)
        old = self._shown.get(name)
        if old == text:
            return
        self._shown[name] = text
        widget = self.query_one(f"#{name}", Static)
        width = widget.content_size.width
        # A line that keeps its height needs no new layout (the type-ahead while typing).
        same = old is not None and bool(old) == bool(text) and widget.display and width > 0 \
            and len(old.wrap(self.app.console, width)) == len(text.wrap(self.app.console, width))
        widget.update(text, layout=not same)
        if name.startswith("msg-"):
            widget.display = bool(text)

    def show_messages(self, result: IntakeCheck) -> None:
        """The message line under each row: errors of fields left (all after a refused
        save), warnings, the type-ahead of the focused look-up, earlier contacts."""
        for area, text in field_messages(self, result).items():
            self.show(area, text)

    # --- returning callers -----------------------------------------------------------

    def schedule_lookup(self) -> None:
        """Name, phone or consent changed: look up earlier contacts after a quiet moment."""
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

    # --- events --------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(ChoiceField.Changed)
    def form_changed(self) -> None:
        # A burst of changes (typing, or filling the whole form) is interpreted once.
        # (The screen hears the same messages: it keeps the draft.)
        if not self._check_pending:
            self._check_pending = True
            self.call_later(self._deferred_check)

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
        self.screen.focus_next()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id in MESSAGE_AREA:
            self.touched.add(event.widget.id)
        if isinstance(event.widget, LookupInput):
            self.refresh_check()  # the field may have just been completed
            self.canonicalise(event.widget)
        if self.result:
            self.show_messages(self.result)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
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
            "referral": [e.name for e in result.referrals],
        }[lookup.id]
        if names:
            lookup.value = ", ".join(names)
