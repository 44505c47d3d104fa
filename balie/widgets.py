"""Small form widgets for fast keyboard entry at the desk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static, TextArea

from balie.domain.text import fold


class OrderedKeys:
    """Mixin for form fields: keys that arrive in a burst land in the right field, in order.

    Textual routes a key to the widget that has focus when the key *arrives*; a Tab
    moves the focus only when it is *handled*. A fast typist over ssh (or a laggy
    terminal server) delivers "78<Tab>v" in one read, and the "v" would land in the
    age field. So a field runs the bindings of keys it does not use itself (Tab,
    Ctrl+S, Esc) at once, while handling that key, and hands on any key that reaches
    it after it lost the focus to the field that has it now.
    """

    def own_key(self, event: events.Key) -> bool:
        """Keys this field handles itself (text); all others run their binding at once."""
        return event.is_printable

    async def _on_key(self, event: events.Key) -> None:
        if not getattr(self.screen, "accepts_keys", True):
            event.stop()  # e.g. while the form is being saved
            event.prevent_default()
            return
        focused = self.app.focused
        if focused is not self:
            event.stop()
            event.prevent_default()
            if focused is not None:  # none while a save runs: the key is dropped
                focused._forward_event(events.Key(event.key, event.character))
            return
        if self.own_key(event) or event.key in self.keys_with_handlers():
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        # The same bindings the key would reach by bubbling (this field, its screen,
        # the app), but now, before the next key in this field's queue.
        await self.app._check_bindings(event.key)

    def keys_with_handlers(self) -> tuple[str, ...]:
        """Non-printable keys the field's own key handler deals with."""
        return ()


@dataclass(frozen=True)
class Option:
    """One choice of a :class:`ChoiceField`: its value, the keys that pick it, its label."""

    value: str
    keys: tuple[str, ...]
    label: str


class ChoiceField(OrderedKeys, Widget, can_focus=True):
    """A choice from a few options, made with one key.

    A letter or digit picks the option it belongs to, left/right and space step through
    them. Shown either as the chosen label between arrows, or (``inline``) as the whole
    list with the chosen option highlighted and a suggested one marked.
    """

    DEFAULT_CSS = """
    ChoiceField {
        height: 1;
        width: auto;
        min-width: 8;
        padding: 0 1;
        background: $boost;
    }
    ChoiceField:focus {
        background: $accent 30%;
        text-style: bold;
    }
    ChoiceField.-inline {
        height: auto;
        width: 1fr;
    }
    ChoiceField.-locked {
        color: $warning;
    }
    """

    BINDINGS = [
        Binding("right,space", "step(1)", "Volgende keuze", show=False),
        Binding("left", "step(-1)", "Vorige keuze", show=False),
    ]

    value: reactive[str] = reactive("", init=False)
    """The chosen option's value ("" may itself be an option, e.g. 'not recorded')."""
    suggested: reactive[str | None] = reactive(None)
    """The value the routing rules suggest, marked in the inline list."""
    locked: reactive[bool] = reactive(False)
    """A locked field shows its value but ignores keys (e.g. spoed forced by a rule)."""

    class Changed(Message):
        """The choice changed (by key, click or code)."""

        def __init__(self, field: ChoiceField, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> ChoiceField:
            return self.field

    class Refused(Message):
        """A typed character matches no option: probably typing meant for a text field."""

        def __init__(self, field: ChoiceField, character: str) -> None:
            super().__init__()
            self.field = field
            self.character = character

    def __init__(
        self,
        options: list[Option],
        value: str | None = None,
        *,
        inline: bool = False,
        allow_empty: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-inline" if inline else "")
        self.options = options
        self.inline = inline
        self.allow_empty = allow_empty
        """Whether "" means "nothing chosen yet" (never replaced by a default option)."""
        self.set_reactive(ChoiceField.value, options[0].value if value is None else value)

    def set_options(self, options: list[Option]) -> None:
        self.options = options
        known = {o.value for o in options}
        if self.value not in known and not (self.allow_empty and self.value == ""):
            self.value = options[0].value
        self.refresh(layout=True)

    @property
    def chosen(self) -> Option:
        return next((o for o in self.options if o.value == self.value), self.options[0])

    def render(self) -> Text:
        if not self.inline:
            return Text(f"◂ {self.chosen.label} ▸")
        text = Text()
        for number, line in enumerate(self._lines(self.content_size.width or 80)):
            if number:
                text.append("\n")
            for index, option in enumerate(line):
                if index:
                    text.append("  ")
                style = "reverse bold" if option.value == self.value else ""
                text.append(self._label(option), style=style)
        return text

    def _label(self, option: Option) -> str:
        key = option.keys[0] if option.keys else ""
        return f"{key} {option.label}{'★' if option.value == self.suggested else ''}"

    def _lines(self, width: int) -> list[list[Option]]:
        """Options laid out in lines of at most ``width`` cells, never split inside one."""
        lines: list[list[Option]] = [[]]
        used = 0
        for option in self.options:
            size = len(self._label(option))
            if lines[-1] and used + 2 + size > width:
                lines.append([])
                used = 0
            used += (2 if lines[-1] else 0) + size
            lines[-1].append(option)
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._lines(width)) if self.inline else 1

    def watch_value(self, value: str) -> None:
        self.refresh(layout=True)  # the label's width may change ("nee" -> "ja")
        self.post_message(self.Changed(self, value))

    def watch_locked(self, locked: bool) -> None:
        self.set_class(locked, "-locked")

    def action_step(self, delta: int) -> None:
        if self.locked or not self.options:
            return
        values = [o.value for o in self.options]
        index = values.index(self.value) if self.value in values else 0
        self.value = values[(index + delta) % len(values)]

    def own_key(self, event: events.Key) -> bool:
        return False  # letters are handled below; space and arrows are bindings

    async def _on_key(self, event: events.Key) -> None:
        if (self.app.focused is self and event.is_printable and event.character
                and event.character != " "):
            event.stop()
            event.prevent_default()
            self.choose(event.character)
            return
        await super()._on_key(event)

    def choose(self, character: str) -> None:
        """Pick the option a typed character belongs to, or say that none does."""
        pressed = fold(character)
        for option in self.options:
            if pressed in option.keys:
                if not self.locked:
                    self.value = option.value
                return
        self.post_message(self.Refused(self, character))

    def on_click(self, event: events.Click) -> None:
        if self.locked:
            return
        if not self.inline:
            self.action_step(1)
            return
        # Find the option under the pointer in the same layout that render() drew.
        lines = self._lines(self.content_size.width or 80)
        row, column = event.y - self.styles.padding.top, event.x - self.styles.padding.left
        if not 0 <= row < len(lines):
            return
        position = 0
        for option in lines[row]:
            size = len(self._label(option))
            if position <= column < position + size:
                self.value = option.value
                return
            position += size + 2


class FormInput(OrderedKeys, Input):
    """A one-line text field of the intake form."""


class FormTextArea(OrderedKeys, TextArea):
    """The multi-line summary: Enter is a new line, Tab moves on."""

    def keys_with_handlers(self) -> tuple[str, ...]:
        return ("enter",)


class LookupInput(FormInput):
    """An input with type-ahead: Tab or Enter takes the highlighted option and moves on.

    ``matcher`` (set by the screen) gives, for the text typed so far, the names that
    match best first and the piece of text they are for. Up/down move the highlight.
    Tab replaces that piece by the highlighted name and moves on, so "hoog", down, Tab
    gives Hooghalen. With ``multi`` only the last piece is completed ("fin, w" ->
    "fin, Wonen"). Options are computed when needed, from the text as it is then, so
    keys that arrive in a burst are completed correctly too.
    """

    BINDINGS = [
        Binding("down", "highlight(1)", "Volgende suggestie", show=False),
        Binding("up", "highlight(-1)", "Vorige suggestie", show=False),
    ]

    class OptionsChanged(Message):
        """The highlighted option moved; the screen redraws the hint."""

        def __init__(self, lookup: LookupInput) -> None:
            super().__init__()
            self.lookup = lookup

    def __init__(self, *args, multi: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.multi = multi
        self.matcher: Callable[[str], tuple[list[str], str]] | None = None
        self.options: list[str] = []
        self._matched: tuple = (None, None)
        """The text and matcher the options were computed for."""
        self.highlighted = 0
        self.pending = ""
        """The piece of text the options are for (the last piece when ``multi``)."""

    def refresh_options(self) -> None:
        """Match the current text again; the highlight stays unless the options change."""
        if (self.value, self.matcher) == self._matched:
            return
        self._matched = (self.value, self.matcher)
        options, pending = self.matcher(self.value) if self.matcher else ([], "")
        if options != self.options:
            self.highlighted = 0
        self.options, self.pending = options, pending

    def action_highlight(self, delta: int) -> None:
        self.refresh_options()
        if self.options:
            self.highlighted = (self.highlighted + delta) % len(self.options)
            self.post_message(self.OptionsChanged(self))

    def complete(self) -> bool:
        """Put the highlighted option in place of the pending text; True if it changed."""
        self.refresh_options()
        if not self.options or not self.pending:
            return False
        choice = self.options[self.highlighted]
        if self.multi:
            text = self.value.rstrip()
            cut = len(text) - len(self.pending)
            if cut < 0 or fold(text[cut:]) != fold(self.pending):
                return False
            new = text[:cut] + choice
        else:
            new = choice
        if new == self.value:
            return False
        self.value = new
        self.cursor_position = len(new)
        return True

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab" and self.app.focused is self and self.complete():
            event.stop()
            event.prevent_default()
            self.screen.focus_next()
            return
        await super()._on_key(event)


class StatusLine(Static):
    """The line above the footer that says what just happened (saved, refused, ...).

    One line, or as many as a longer message (a full disk, a damaged file) needs to be
    read whole."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        max-height: 5;
        padding: 0 1;
        background: $panel;
    }
    StatusLine.-error {
        color: $text-error;
        background: $error-muted;
    }
    StatusLine.-ok {
        color: $text-success;
        background: $success-muted;
    }
    """

    def show(self, text: str, kind: str = "info") -> None:
        """Show a message; ``kind`` "ok" or "error" colours it."""
        self.update(Text(text))
        self.set_class(kind == "error", "-error")
        self.set_class(kind == "ok", "-ok")


class StableFooter(Footer):
    """A footer that is rebuilt only when the keys it shows change.

    Textual rebuilds the footer on every focus change; in a form with fifteen fields
    whose own keys are all hidden that is wasted work on every Tab (and the largest
    part of getting the form ready again after a save).
    """

    _shown: tuple = ()

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple(
            (key, active.binding.description, active.enabled, active.binding.key_display)
            for key, active in screen.active_bindings.items()
            if active.binding.show
        )
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)
