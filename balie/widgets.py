"""Small widgets shared by the screens: form fields for fast keyboard entry, the lists'
one way of reloading, the status line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, Static, TextArea
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from balie.domain.text import fold, visible
from balie.plain import plain


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
            return plain(f"◂ {self.chosen.label} ▸")
        text = Text()
        for number, line in enumerate(self._lines(self.content_size.width or 80)):
            if number:
                text.append("\n")
            for index, option in enumerate(line):
                if index:
                    text.append("  ")
                style = "reverse bold" if option.value == self.value else ""
                text.append_text(plain(self._label(option), style))
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


class TextInput(Input):
    """An input line that shows control characters in its value instead of sending
    them to the terminal (an opened registration may hold them: an import, another
    program, a paste). Each is shown as one character: the cursor stays in place."""

    @property
    def _value(self) -> Text:  # what Input draws (as Input does, but shown)
        if self.password:
            return super()._value
        text = plain(self.value, no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text


class FormInput(OrderedKeys, TextInput):
    """A one-line text field of the intake form."""


class FormTextArea(OrderedKeys, TextArea):
    """The multi-line summary: Enter is a new line, Tab moves on."""

    def get_line(self, line_index: int) -> Text:
        # As TextInput: control characters shown (one each), not sent to the terminal.
        return plain(self.document.get_line(line_index), end="", no_wrap=True)

    def keys_with_handlers(self) -> tuple[str, ...]:
        return ("enter",)


class LookupInput(FormInput):
    """An input with type-ahead: Tab or Enter takes the highlighted option and moves on.

    ``matcher`` (set by the screen) gives, for the text typed so far, the names that
    match best first and the piece of text they are for. Up/down move the highlight.
    Tab replaces that piece by the highlighted name and moves on, so "hoog", down, Tab
    gives Hooghalen. With ``multi`` only the last piece is completed ("fin, w" ->
    "fin, Wonen"). Options are computed when needed, from the text as it is then, so
    keys that arrive in a burst are completed correctly too. A matcher may offer
    options before anything is typed (suggestions): Tab takes one only after ↓ or ↑
    chose it, so Tab through an empty field never fills it.
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
        self.moved = False
        """↓ or ↑ chose an option since the options last changed."""

    def refresh_options(self) -> None:
        """Match the current text again; the highlight stays unless the options change."""
        if (self.value, self.matcher) == self._matched:
            return
        self._matched = (self.value, self.matcher)
        options, pending = self.matcher(self.value) if self.matcher else ([], "")
        if options != self.options:
            self.highlighted, self.moved = 0, False
        self.options, self.pending = options, pending

    def forget(self) -> None:
        """What the matcher offers changed though the text did not (the inquiry's topic
        changes the suggestions of the Naar field): match again when next needed."""
        self._matched = (None, None)

    def action_highlight(self, delta: int) -> None:
        self.refresh_options()
        if self.options:
            self.highlighted = (self.highlighted + delta) % len(self.options) \
                if self.moved or self.pending else (0 if delta > 0 else len(self.options) - 1)
            self.moved = True
            self.post_message(self.OptionsChanged(self))

    def complete(self) -> bool:
        """Put the highlighted option in place of the pending text; True if it changed."""
        self.refresh_options()
        if not self.options or not (self.pending or self.moved):
            return False
        choice = self.options[self.highlighted]
        if self.multi:
            text = self.value.rstrip()
            cut = len(text) - len(self.pending)
            if cut < 0 or fold(text[cut:]) != fold(self.pending):
                return False
            if not self.pending and text:  # a suggestion after "Voedselbank,"
                choice = " " + choice
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


class Notice(Static):
    """A notice shown above the status line for a while (see :meth:`StatusLine.notice`)."""

    DEFAULT_CSS = """
    Notice {
        height: auto;
        max-height: 50%;
        padding: 0 1;
        background: $warning-muted;
    }
    """

    def __init__(self, title: str, text: str) -> None:
        # Text, never markup, and control characters shown: a notice may name a file.
        super().__init__(Content.assemble(Content.styled(f"{visible(title)}: ", "bold"),
                                          Content(visible(text, lines=True))))
        self.title_text = title
        self.text = text


class StatusLine(Static):
    """The line above the footer that says what just happened (saved, refused, ...).

    Every screen has one, and a message on it is read whole: the line grows to as many
    lines as the text needs, never cut at the terminal's width. A message about
    something that can stop being true (a correction opened, a refused save) names its
    subject with ``about``; :meth:`clear` with that subject removes it then, and any new
    message replaces it. A *notice* (at the start: retention due, file permissions) is
    shown above it for a while and does not cover the work: the screen gives up the
    lines it takes.
    """

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        min-height: 1;
        max-height: 50%;
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.message: str = ""
        """The message shown now (plain text; empty when none)."""
        self.kind = "info"
        self.about: str | None = None
        """What the message is about, if it can stop being true (see :meth:`clear`)."""

    def show(self, text: str, kind: str = "info", *, about: str | None = None) -> None:
        """Show a message; ``kind`` "ok" or "error" colours it; ``about`` see :meth:`clear`."""
        self.message, self.kind, self.about = text, kind, about
        self.update(plain(text, lines=True))  # text, never markup: it may name data
        self.set_class(kind == "error" and bool(text), "-error")
        self.set_class(kind == "ok" and bool(text), "-ok")

    def clear(self, *about: str) -> None:
        """Remove the message (only if it is about one of ``about``, when given)."""
        if not about or self.about in about:
            self.show("")

    def notice(self, title: str, text: str, seconds: float) -> None:
        """Show a notice above this line for ``seconds``."""
        shown = Notice(title, text)
        self.parent.mount(shown, before=self)
        self.set_timer(seconds, shown.remove)

    @property
    def notices(self) -> list[Notice]:
        """The notices shown above this line now."""
        return list(self.parent.query_children(Notice))


class StableFooter(Footer):
    """A footer that is rebuilt only when the keys it shows change, and that never
    runs off the screen.

    Textual rebuilds the footer on every focus change; in a form with fifteen fields
    whose own keys are all hidden that is wasted work on every Tab (and the largest
    part of getting the form ready again after a save). Textual's footer also just
    stops at the edge of the terminal, cutting a key in half ("F2 Overzich"): this one
    leaves out whole keys instead, the app's before the screen's, keeping Esc (the way
    back) longest and F1 (Help, which lists every key) always.
    """

    DEFAULT_CSS = """
    StableFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    _shown: tuple = ()

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple(
            (key, active.binding.description, active.enabled, active.binding.key_display)
            for key, active in screen.active_bindings.items()
            if active.binding.show
        ) + (self.app.size.width,)
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        self.bindings_changed(self.screen)

    def compose(self) -> ComposeResult:
        """Textual's footer (``Footer.compose``), of the keys that fit."""
        if not self._bindings_ready:
            return
        by_action: dict[str, list] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, []).append((binding, enabled, tooltip))
        keep = self._fitting(by_action)
        shown = [items for action, items in by_action.items() if action in keep]
        self.styles.grid_size_columns = len(shown)
        for group, members in groupby(shown, lambda items: items[0][0].group):
            members = list(members)
            if group is not None and len(members) > 1:
                with KeyGroup(classes="-compact" if group.compact else ""):
                    for items in members:
                        binding, enabled, tooltip = items[0]
                        yield FooterKey(binding.key, self.app.get_key_display(binding), "",
                                        binding.action, disabled=not enabled,
                                        tooltip=tooltip or binding.description,
                                        classes="-grouped").data_bind(compact=Footer.compact)
                yield FooterLabel(group.description)
            else:
                for items in members:
                    binding, enabled, tooltip = items[0]
                    yield FooterKey(binding.key, self.app.get_key_display(binding),
                                    binding.description, binding.action,
                                    disabled=not enabled,
                                    tooltip=tooltip).data_bind(compact=Footer.compact)

    def _fitting(self, by_action: dict[str, list]) -> set[str]:
        """The actions whose keys fit the width (see the class docstring)."""
        width = self.app.size.width

        def cost(action: str) -> int:
            binding = by_action[action][0][0]
            key = cell_len(self.app.get_key_display(binding))
            if binding.group is None:
                return key + cell_len(binding.description) + 2
            members = [a for a, items in by_action.items() if items[0][0].group is binding.group]
            # The group's keys side by side, then its name once (after the last key).
            last = action == members[-1]
            return key + (2 + cell_len(binding.group.description) + 1 if last else 0) + (
                1 if action == members[0] else 0)

        app_actions = {binding.action for binding in self.app._bindings.shown_keys}
        order = list(by_action)
        # Last to go: Esc (the way back) and F1 (which lists everything left out).
        way_back = {a for a in order if by_action[a][0][0].key == "escape"}
        droppable = [a for a in reversed(order) if a in app_actions and a != "help"]
        droppable += [a for a in reversed(order)
                      if a not in droppable and a != "help" and a not in way_back]
        droppable += [a for a in way_back if a not in droppable]
        keep = set(order)
        while sum(cost(a) for a in keep) > width and droppable:
            keep.discard(droppable.pop(0))
        return keep


Cell = str | Text
"""What a list cell holds: our own words as str, data as Text (never markup)."""


def _cell_width(cell: object) -> int:
    if isinstance(cell, Text):
        return max((line.cell_len for line in cell.split()), default=0)
    return cell_len(str(cell))


def show_rows(
    table: DataTable,
    columns: Sequence[Cell],
    rows: Iterable[tuple[str, Sequence[Cell]]],
    *,
    select: str | None = None,
    top: bool = False,
) -> None:
    """Show ``rows`` (key, cells) in ``table`` in place of what it showed: the one way
    every list of balie (re)loads, so what the cursor points at is the row the person
    sees highlighted.

    - Every column is as wide as its widest cell or label, measured here, at every
      reload: a number is never shown cut (DataTable itself measures new rows only
      later, when idle, and a screen drawn in between keeps the cut cells).
    - The cursor goes to ``select`` when that row is in the list (e.g. the inquiry just
      saved); with ``top`` to the first row (another view or team: a new list); else it
      stays on the row it was on, or, when that row left the list, on the row now in
      its place (never jumping to the top, where the next key would act on another
      inquiry than the one looked at). The cursor's row is scrolled into view.
    """
    previous: str | None = None
    if table.row_count and table.is_valid_row_index(table.cursor_row):
        previous = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
    index = table.cursor_row
    rows = [(key, list(cells)) for key, cells in rows]
    labels = [column if isinstance(column, Text) else Text(column) for column in columns]
    widths = [label.cell_len for label in labels]
    for _, cells in rows:
        for number, cell in enumerate(cells):
            widths[number] = max(widths[number], _cell_width(cell))
    table.clear(columns=True)
    for label, width in zip(labels, widths, strict=True):
        table.add_column(label, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if not rows:
        return
    if top:
        target = 0
    elif select is not None and select in table.rows:
        target = table.get_row_index(select)
    elif previous is not None and previous in table.rows:
        target = table.get_row_index(previous)
    else:
        target = min(index, len(rows) - 1)
    table.move_cursor(row=target, scroll=True)


def cursor_key(table: DataTable) -> str | None:
    """The key of the row under the cursor (None for an empty list)."""
    if not table.row_count or not table.is_valid_row_index(table.cursor_row):
        return None
    return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
