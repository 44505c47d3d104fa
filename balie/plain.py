"""Data reaches the screen as text: never Rich/Textual markup, never terminal control.

A name, a reason or an origin is stored by one person and shown to another. Given to
Textual as a string it would be read as markup (``[b]``, ``[link=...]``; an unbalanced
``[/]`` stops the app with a MarkupError), and Rich passes an ESC on to the terminal
untouched (``ESC[2K`` erases a line, ``ESC]52;c;...`` writes to the clipboard). So every
string from data goes through :func:`plain` (or a widget that calls it: the tables of
:class:`TextTable`, :class:`balie.widgets.StatusLine`, :class:`balie.widgets.ChoiceField`,
:class:`balie.screens.dialog.ChoiceDialog`), and the few Textual APIs that take only
markup (the command palette) get :func:`markup_literal`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from balie.domain.text import visible


def plain(value: str | Text, style: str = "", *, lines: bool = False, **text: Any) -> Text:
    """``value`` as literal text, its control characters made visible (see
    :func:`balie.domain.text.visible`; ``lines`` keeps line breaks).

    A :class:`Text` is copied with its styles (the replacement keeps every position);
    ``style`` and the other keywords (``no_wrap``, ``overflow``, ...) are those of
    :class:`Text`.
    """
    if isinstance(value, Text):
        shown = value.copy()
        shown.plain = visible(value.plain, lines=lines)
        if style:
            shown.stylize_before(style)
        return shown
    return Text(visible(value, lines=lines), style=style, **text)


def markup_literal(value: str) -> str:
    """``value`` for an API that reads markup: shown as typed, acting on nothing.

    Every ``[`` is escaped (Textual's own ``escape`` leaves ``[$name]`` and a lone
    ``[/`` as markup); a backslash elsewhere is literal in Textual's markup.
    """
    return visible(value).replace("[", "\\[")


def cell(value: object) -> object:
    """A table cell or column label: a string or Text as plain text; others as they are."""
    return plain(value) if isinstance(value, str | Text) else value


class TextTable(DataTable):
    """A DataTable whose strings are text: Textual's own table reads a string cell (and
    a string column label) as markup."""

    def add_column(self, label: str | Text, *args: Any, **kwargs: Any):
        return super().add_column(cell(label), *args, **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any):
        return super().add_row(*(cell(value) for value in cells), **kwargs)

    def update_cell(self, row_key, column_key, value, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, cell(value), **kwargs)
