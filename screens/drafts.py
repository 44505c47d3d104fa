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

    async def offer_orphans(self) -> None:
        """At the start: drop drafts nobody came back to, offer the newest of the rest."""
        app = self.screen.app
        await app.run_db(expire_drafts, app.clock())
        drafts = await app.run_db(orphaned_drafts, app.staff.id, app.host, app.pid,
                                  app.clock())
        if drafts:
            self.offer(drafts)

    def offer(self, drafts: list[StoredDraft]) -> None:
        screen = self.screen
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
            app = screen.app
            if choice == "restore":
                if await app.run_db(claim_draft, newest, app.host, app.pid):
                    screen.form.fill(draft)
                    self.id, self.persisted = newest.id, newest.body
                    screen.set_status("Concept teruggehaald; kijk het na en sla op met Ctrl+S.")
                else:
                    screen.set_status("Dat concept is al door een andere balie geopend.",
                                      "error")
            elif choice == "discard":
                await app.run_db(delete_draft, newest.id)
                screen.set_status("Concept weggegooid.")
                # The form is still empty: offer the next one now.
                remaining = await app.run_db(orphaned_drafts, app.staff.id, app.host, app.pid,
                                             app.clock())
                if remaining:
                    self.offer(remaining)

        if screen.form.is_dirty():
            return  # never overwrite what is being typed; offered again next start
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
