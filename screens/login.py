"""The login of a browser session (``balie serve``): username and password, then the app.

In a terminal the OS account says who is at the desk; a browser session starts here,
and nothing else of balie is reachable until the login succeeds (see
``BalieApp.check_action``). The screen never says whether a username exists: a wrong
password and an unknown name get the same message (see :mod:`balie.db.login`).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from balie.db.errors import StoreError
from balie.db.login import LoginRefused, log_in
from balie.plain import plain
from balie.widgets import StableFooter, StatusLine


class LoginScreen(Screen):
    """Aanmelden: username, password, Enter."""

    CSS_PATH = "login.tcss"
    HELP_TITLE = "Aanmelden"
    AUTO_FOCUS = "#username"

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        """A login is being checked (about a fifth of a second): Enter waits for it."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="login-body"), Vertical(id="login"):
            yield Static(Text("Aanmelden bij balie", style="bold"), id="login-title")
            yield Static("Meld u aan met uw gebruikersnaam en wachtwoord van balie.",
                         id="login-intro")
            with Horizontal(classes="row"):
                yield Label("Gebruikersnaam", classes="label")
                yield Input(id="username", compact=True, max_length=100)
            yield Static(id="username-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("Wachtwoord", classes="label")
                yield Input(id="password", password=True, compact=True, max_length=1000)
            yield Static(id="password-error", classes="field-error")
            yield Static(Text("Enter: aanmelden", style="dim"), id="login-hint")
        yield StatusLine(id="status")
        yield StableFooter()

    def field_error(self, field: str, message: str = "") -> None:
        """Show (or clear) the message under a field."""
        self.query_one(f"#{field}-error", Static).update(plain(message, lines=True))

    @on(Input.Submitted, "#username")
    def username_entered(self) -> None:
        if self.query_one("#password", Input).value:
            self.attempt()
        else:
            self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def password_entered(self) -> None:
        self.attempt()

    @on(Input.Changed)
    def typing(self, event: Input.Changed) -> None:
        # A message about what was typed before goes once the field changes.
        if event.input.id and event.value:
            self.field_error(event.input.id)

    def attempt(self) -> None:
        if self.busy:
            return
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        self.field_error("username")
        self.field_error("password")
        if not username.value.strip():
            self.field_error("username", "Vul uw gebruikersnaam in.")
            username.focus()
            return
        if not password.value:
            self.field_error("password", "Vul uw wachtwoord in.")
            password.focus()
            return
        self.busy = True
        self.query_one(StatusLine).show("Bezig met aanmelden…")
        # An app worker, not the screen's: a good login removes this screen, and the
        # worker must not be cancelled halfway through switching to the app's screens.
        self.app.run_worker(self.log_in(username.value, password.value), group="login")

    async def log_in(self, username: str, password: str) -> None:
        app = self.app
        status = self.query_one(StatusLine)
        field = self.query_one("#password", Input)
        try:
            staff, actor = await app.run_db(log_in, username, password, app.login_origin,
                                            app.clock())
        except LoginRefused as refused:
            field.value = ""
            self.field_error("password", refused.message)
            status.show("Niet aangemeld.", "error")
            field.focus()
            return
        except StoreError as error:  # busy or broken database: try again
            status.show(error.message, "error")
            return
        finally:
            self.busy = False
        field.value = ""
        status.show("")
        await app.signed_in(staff, actor)
