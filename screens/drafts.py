"""Nothing typed is lost: the form is kept as a draft in the database while it is typed,
and a draft whose app is gone (closed terminal, killed process) is offered again.

The screen owns one :class:`DraftKeeper`; the data layer is :mod:`balie.db.drafts`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from balie.db.drafts import (
    StoredDraft,
    claim_draft,
    delete_draft,
    expire_drafts,
    orphaned_drafts,
    save_draft,
)
from balie.db.errors import StoreError
from balie.domain.intake import IntakeDraft
from balie.domain.timekeeping import local
from balie.screens.dialog import Answer, ChoiceDialog

if TYPE_CHECKING:
    from balie.screens.intake import IntakeScreen

DRAFT_DELAY = 0.3
"""Seconds between a change and writing the draft: at most this much typing is at risk."""
RECHECK_AFTER = 5
"""Seconds after the start to look for orphaned drafts again: an app that crashed just
before this one started may still have been ending (and counted as running)."""


class DraftKeeper:
    """This app's draft of the intake form: written a moment after each change."""

    def __init__(self, screen: IntakeScreen) -> None:
        self.screen = screen
        self.id: int | None = None
        """The draft row this app writes, or None while nothing is typed."""
        self.persisted: str | None = None
        """The body last written, so an unchanged form is not written again."""
        self.lock = asyncio.Lock()
        """Held while the draft is written, deleted, or the form saved or cleared."""
        self._timer = None
        self.declined: set[int] = set()
        """Orphaned drafts answered with Later: not offered again until the next start."""
        self.waiting = False
        """An orphaned draft waits for the form to be saved or cleared."""
        self.asking = False
        """The offer (or its confirmation) is on screen."""

    def schedule(self) -> None:
        """The form changed: write the draft in a moment (once for a burst of keys)."""
        if self._timer is None and not self.screen.saving:
            self._timer = self.screen.set_timer(DRAFT_DELAY, self._due)

    def _due(self) -> None:
        self._timer = None
        self.screen.run_worker(self.write(), group="draft", exit_on_error=False)

    def stop(self) -> None:
        """No pending write (the form is being saved or cleared)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def forget(self) -> None:
        """The draft is gone with the save that deleted it."""
        self.id, self.persisted = None, None

    async def discard(self) -> None:
        """Delete this app's draft (the caller holds :attr:`lock`)."""
        self.stop()
        if self.id is not None:
            await self.screen.app.run_db(delete_draft, self.id)
        self.forget()

    async def write(self) -> bool:
        """Store the form as this app's draft, or remove it when nothing is typed.

        Name, phone, postcode and callback are kept only once consent is given: without
        it they may not be stored at all, not even in a draft. Returns False when the
        draft could not be written (the reason is on the status line).
        """
        screen = self.screen
        async with self.lock:
            if screen.saving:
                return True
            app = screen.app
            form = screen.form
            body = form.read_draft().storable().to_json()
            try:
                if not form.is_dirty():
                    if self.id is not None:
                        await app.run_db(delete_draft, self.id)
                        self.forget()
                    return True
                if body != self.persisted:
                    self.id = await app.run_db(save_draft, self.id, app.staff.id,
                                               app.host, app.pid, body, app.clock())
                    self.persisted = body
            except StoreError as error:
                screen.set_status(f"Concept niet bewaard: {error.message} Wat u typte "
                                  "staat nog in dit formulier, niet in de database: laat "
                                  "balie open.", "error")
                return False
            return True

    # --- drafts of apps that are gone ------------------------------------------------

    async def offer_orphans(self, *, at_start: bool = False) -> None:
        """Offer the newest draft of an app that is gone (at the start: after dropping
        drafts nobody came back to). A draft is never passed over in silence: while
        the form holds other work, the status line says one waits, and it is offered
        as soon as the form is saved or cleared (:meth:`form_free`)."""
        screen = self.screen
        app = screen.app
        if at_start:
            await app.run_db(expire_drafts, app.clock())
            # An app that was still ending at this start: look once more in a moment.
            screen.set_timer(RECHECK_AFTER, lambda: screen.background(self.offer_orphans()))
        if self.asking:
            return
        drafts = [d for d in await app.run_db(orphaned_drafts, app.staff.id, app.host,
                                              app.pid, app.clock())
                  if d.id not in self.declined]
        form = screen.form
        self.waiting = bool(drafts) and (form.is_dirty() or form.correcting is not None)
        if self.waiting:
            screen.set_status(f"Er wacht nog niet-opgeslagen werk: {self._describe(drafts[0])}. "
                              "Het wordt aangeboden zodra dit formulier is opgeslagen of "
                              "gewist.", about="draft")
        elif drafts:
            self.offer(drafts)

    def form_free(self) -> None:
        """The form was saved or cleared: offer a draft that waited for that."""
        if self.waiting:
            self.screen.background(self.offer_orphans())

    @staticmethod
    def _describe(stored: StoredDraft) -> str:
        draft = IntakeDraft.from_json(stored.body)
        kind = (f"correctie van nummer {draft.correction_of}" if draft.correction_of
                else "registratie")
        return f"een {kind} van {local(stored.updated_at):%d-%m %H:%M}: {draft.describe()}"

    def offer(self, drafts: list[StoredDraft]) -> None:
        screen = self.screen
        newest = drafts[0]
        others = len(drafts) - 1
        more = ""
        if others == 1:
            more = "\n(Er is nog 1 ander concept; dat komt hierna of bij een volgende start.)"
        elif others > 1:
            more = (f"\n(Er zijn nog {others} andere concepten; die komen hierna of bij een "
                    "volgende start.)")
        described = self._describe(newest)
        question = f"{described[0].upper()}{described[1:]}.{more}"

        async def answered(choice: str) -> None:
            app = screen.app
            self.asking = False
            if choice == "restore":
                if await app.run_db(claim_draft, newest, app.host, app.pid):
                    screen.form.fill(IntakeDraft.from_json(newest.body))
                    self.id, self.persisted = newest.id, newest.body
                    screen.set_status("Concept teruggehaald; kijk het na en sla op met Ctrl+S.")
                else:
                    screen.set_status("Dat concept is al door een andere balie geopend.",
                                      "error")
            elif choice == "discard":
                self.asking = True
                screen.app.push_screen(
                    ChoiceDialog("Concept weggooien",
                                 f"{question}\n\nWeggooien? Wat toen getypt is, is dan weg."),
                    lambda answer: screen.background(thrown_away(answer)))
            else:
                self.declined.add(newest.id)
                screen.set_status("Het concept blijft bewaard; het wordt bij de volgende "
                                  "start weer aangeboden.")

        async def thrown_away(answer: str) -> None:
            self.asking = False
            app = screen.app
            if answer != "yes":
                self.offer(drafts)  # the choice again: nothing happened
                return
            await app.run_db(delete_draft, newest.id)
            screen.set_status("Concept weggegooid.")
            await self.offer_orphans()  # the form is still empty: the next one now

        self.asking = True
        screen.app.push_screen(
            ChoiceDialog(
                "Niet-opgeslagen werk gevonden",
                question,
                (Answer("t", "Terughalen", "restore"), Answer("w", "Weggooien", "discard"),
                 Answer("l", "Later", "later")),
                cancel_value="later",
            ),
            lambda choice: screen.background(answered(choice)),
        )
