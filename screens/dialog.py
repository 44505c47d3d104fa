"""A small modal question answered with one key: "Formulier leegmaken? [j] ja  [n] nee"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from balie.plain import plain


@dataclass(frozen=True)
class Answer:
    """One possible answer: the key that gives it, its label (text, e.g. an outcome's
    name: never markup) and the value returned."""

    key: str
    label: str
    value: str


YES_NO = (Answer("j", "Ja", "yes"), Answer("n", "Nee", "no"))


class ChoiceDialog(ModalScreen[str]):
    """Ask one question; dismiss with the value of the chosen answer.

    Esc gives ``cancel_value`` (the safe answer): nothing happens by accident. Title,
    question and labels are text (they may name data), never markup.
    """

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "Annuleren")]

    def __init__(
        self,
        title: str | Text,
        question: str | Text,
        answers: tuple[Answer, ...] = YES_NO,
        cancel_value: str = "no",
        *,
        stacked: bool = False,
    ) -> None:
        """``stacked`` puts the answers below each other (a list to choose from)."""
        super().__init__()
        self.stacked = stacked
        self.title_text = title
        self.question = question
        self.answers = answers
        self.cancel_value = cancel_value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-stacked" if self.stacked else ""):
            yield Static(plain(self.title_text, "bold"), id="dialog-title")
            yield Static(plain(self.question, lines=True), id="dialog-question")
            with Horizontal(id="dialog-buttons"):
                for answer in self.answers:
                    yield Button(
                        plain(f"[{answer.key}] {answer.label}"), id=f"answer-{answer.value}",
                        compact=self.stacked,
                    )

    def on_mount(self) -> None:
        # Enter on a freshly opened question must never do harm: the safe answer has focus.
        safe = [b for b in self.query(Button) if b.id == f"answer-{self.cancel_value}"]
        (safe or list(self.query(Button)))[0].focus()

    def on_key(self, event: events.Key) -> None:
        for answer in self.answers:
            if event.character and event.character.lower() == answer.key:
                event.stop()
                self.dismiss(answer.value)
                return

    @on(Button.Pressed)
    def answered(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id.removeprefix("answer-"))

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_value)


def confirm_all(app, questions: list[tuple[str, str]], then: Callable[[], object]) -> None:
    """Ask each (title, question) with Ja/Nee in turn; ``then`` only when all are ja."""
    if not questions:
        then()
        return
    (title, question), rest = questions[0], questions[1:]
    app.push_screen(ChoiceDialog(title, question),
                    lambda answer: confirm_all(app, rest, then) if answer == "yes" else None)
