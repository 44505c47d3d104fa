"""The sociale kaart in the registration form: the Naar field and what it shows.

With route *Extern doorverwezen* (or *Afgehandeld aan de balie*, as "info gegeven
over") the form asks which entries of the sociale kaart: type-ahead like Dorp and
Onderwerp, several separated by commas. Before anything is typed, the entries that
help with the inquiry's topics in its village are offered (↓↑ chooses, Tab takes);
typed words narrow the list. Under the row, each chosen entry's phone number,
opening hours and note, so the desk can read them out, and the follow-up time.
"""

from __future__ import annotations

from rich.text import Text

from balie.domain.directory import MISSING
from balie.domain.directory_search import MAX_OPTIONS, Context, directory_index, last_piece, pick
from balie.domain.intake import IntakeCheck
from balie.domain.models import Reference
from balie.domain.parsing import describe_moment
from balie.domain.text import fold

SUGGESTED = 8
"""Entries offered before anything is typed: those that fit topic and village best."""


def referral_matches(text: str, reference: Reference, correcting: bool, context: Context
                     ) -> tuple[list[str], str]:
    """The type-ahead of the Naar field: names for the piece being typed (after the last
    comma), or, when nothing is typed there yet, suggestions from topic and village."""
    index = directory_index(reference, correcting)
    piece = last_piece(text)
    if piece:
        one, found = index.resolve(piece, context)
        if one is not None and fold(one.name) == fold(piece):
            return [], ""  # the whole name is typed: nothing to choose
        return [e.name for e in found[:MAX_OPTIONS]], piece
    if not context.topic_ids:
        return [], ""  # without a topic, every entry fits: nothing to suggest
    named = {e.id for e in pick(text, index, context).chosen}
    fitting = [e for e in index.search("", context)
               if context.rank(e) == 0 and e.id not in named]
    return [e.name for e in fitting[:SUGGESTED]], ""


def referral_hint(options: list[str], pending: str, highlighted: int, moved: bool,
                  result: IntakeCheck, reference: Reference) -> Text | None:
    """The line under the Naar field while it has focus."""
    text = Text()
    if "referral" in result.errors:  # the message first, then what could be chosen
        text.append(f"✗ {result.errors['referral']}")
    exact = len(options) == 1 and fold(options[0]) == fold(pending)
    if options and not exact:
        if text:
            text.append("\n")
        if pending:
            text.append(f"{pending}: ")
        else:
            text.append(f"Past bij {_context_words(result, reference)}: ")
        for number, option in enumerate(options[:6]):
            if number:
                text.append(" · ")
            marker = "▸" if number == highlighted and (moved or pending) else ""
            text.append(marker + option)
        text.append("  (↓↑, Tab)")
    elif "referral" in result.errors:
        pass  # said above
    elif result.referrals:
        text.append("✓ " + ", ".join(e.name for e in result.referrals))
    else:
        text.append("Typ een naam, onderwerp of woord (F6: de hele sociale kaart)")
    return text


def _context_words(result: IntakeCheck, reference: Reference) -> str:
    topics = ", ".join(t.name.lower() for t in result.topics)
    village = f" in {result.village.name}" if result.village else ""
    return f"{topics}{village}"


def referral_info(result: IntakeCheck | None, now) -> Text:
    """Each chosen entry's phone, opening hours and note, and the follow-up time."""
    text = Text()
    if result is None:
        return text
    for entry in result.referrals:
        if text:
            text.append("\n")
        text.append(f"{entry.name}: ", style="bold")
        text.append("tel. ")
        text.append(entry.phone or MISSING, style="bold" if entry.phone else "dim italic")
        text.append(" · bereikbaar ")
        text.append(entry.hours or MISSING, style="" if entry.hours else "dim italic")
        if entry.desk_note:
            text.append(" · Let op: ", style="bold yellow")
            text.append(entry.desk_note)
    if result.followup and "followup" not in result.errors:
        if text:
            text.append("\n")
        text.append(f"Nabellen {describe_moment(result.followup.at, now)}: is het gelukt?",
                    style="cyan")
    return text
