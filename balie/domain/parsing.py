"""Parsing and validation of what the desk types, with Dutch messages for the field.

Every parser takes the raw text of one field and returns a clean value or raises
:class:`InvalidInput` with a message that can be shown as it is, at that field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from balie.domain.text import fold
from balie.domain.timekeeping import AMSTERDAM

MAX_SUMMARY = 2000
MAX_NAME = 200


class InvalidInput(ValueError):
    """The text of a field cannot be used; ``message`` says why, in Dutch."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- free text -------------------------------------------------------------------------


def clean_text(text: str, *, multiline: bool = False) -> str:
    """NFC text without control characters (a pasted escape sequence cannot reach a screen).

    Newlines survive in multi-line text; tabs become spaces. Nothing else is changed:
    names stay exactly as typed ('t Hart, d'Ancona, Ëlla, Müller-Lüdenscheidt).
    """
    text = text.replace("\r\n", "\n").replace("\t", " ")
    keep = "\n" if multiline else ""
    kept = "".join(
        c for c in text if c in keep or unicodedata.category(c) not in ("Cc", "Cf", "Cs")
    )
    # Normalised after the removal: marks a control character kept apart are ordered too.
    return unicodedata.normalize("NFC", kept).strip()


def parse_summary(text: str) -> str:
    summary = clean_text(text, multiline=True)
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(
            f"Houd de omschrijving kort: hooguit {MAX_SUMMARY} tekens (nu {len(summary)})."
        )
    return summary


def parse_name(text: str) -> str | None:
    name = clean_text(text)
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Een naam van meer dan {MAX_NAME} tekens klopt niet.")
    return name or None


# --- BSN -------------------------------------------------------------------------------

_NINE_DIGITS = re.compile(r"(?<![\d])(\d(?:[ .-]?\d){8})(?![\d])")


def elfproef(digits: str) -> bool:
    """The BSN check: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11 (and not all zeros)."""
    if not re.fullmatch(r"[0-9]{9}", digits) or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def find_bsn(text: str) -> list[str]:
    """Nine-digit numbers in ``text`` that pass the elfproef (with or without separators)."""
    found = []
    for match in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if elfproef(digits):
            found.append(digits)
    return found


# --- age -------------------------------------------------------------------------------

MAX_AGE = 120


def parse_age(text: str, today: date) -> int | None:
    """An age in years, or a birth year (or date) turned into the age at intake.

    "78", "78 jaar", "1948" and "12-3-1948" are accepted; only the age is kept.
    With only a birth year the age is this year minus that year.
    """
    raw = fold(text)
    if not raw:
        return None
    raw = re.sub(r"\s*(jaar|jr|j)\.?$", "", raw)
    if re.fullmatch(r"[0-9]+", raw):
        if len(raw) > 4:  # before int(), which refuses thousands of digits
            raise InvalidInput("Vul een leeftijd (78) of een geboortejaar (1948) in.")
        number = int(raw)
        if len(raw) == 4:
            if number > today.year:
                raise InvalidInput(f"Geboortejaar {number} ligt in de toekomst.")
            age = today.year - number
        else:
            age = number
    else:
        try:
            born = parse_day(raw, today, prefer="past")
        except InvalidInput:
            raise InvalidInput("Vul een leeftijd (78) of een geboortejaar (1948) in.") from None
        if born > today:
            raise InvalidInput("Die geboortedatum ligt in de toekomst.")
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age > MAX_AGE:
        raise InvalidInput(f"Een leeftijd boven {MAX_AGE} jaar klopt niet.")
    return age


# --- phone and postcode ----------------------------------------------------------------


def parse_phone(text: str) -> str | None:
    """A Dutch number in any usual form, stored as +31...; a foreign number kept as typed."""
    raw = clean_text(text)
    if not raw:
        return None
    compact = re.sub(r"[\s().-]", "", raw)
    international = compact.startswith(("+", "00"))
    if international and not compact.startswith(("+31", "0031")):
        if not re.fullmatch(r"(\+|00)[1-9][0-9]{5,14}", compact):  # ASCII digits only
            raise InvalidInput("Dat lijkt geen buitenlands telefoonnummer (+49 30 1234567).")
        return raw  # foreign: kept exactly as typed
    import phonenumbers  # a large module: loaded the first time a number is typed

    try:
        number = phonenumbers.parse(raw, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "Geen geldig telefoonnummer; bijvoorbeeld 06-12345678 of 0593-123456."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(stored: str | None) -> str:
    """How a stored number is shown: Dutch numbers in the national form."""
    if not stored:
        return ""
    if not stored.startswith("+31"):
        return stored
    import phonenumbers

    number = phonenumbers.parse(stored, "NL")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([a-zA-Z]{2})")  # ASCII digits only


def parse_postcode(text: str) -> str | None:
    """A Dutch postcode, "1234ab" stored as "1234 AB"."""
    raw = clean_text(text)
    if not raw:
        return None
    match = _POSTCODE.fullmatch(raw)
    if not match or match.group(2).upper() in ("SA", "SD", "SS"):
        raise InvalidInput("Een postcode is vier cijfers en twee letters, zoals 9411 AB.")
    return f"{match.group(1)} {match.group(2).upper()}"


# --- dates and times -------------------------------------------------------------------

WEEKDAYS = (
    ("ma", "maandag"),
    ("di", "dinsdag"),
    ("wo", "woensdag"),
    ("do", "donderdag"),
    ("vr", "vrijdag"),
    ("za", "zaterdag"),
    ("zo", "zondag"),
)
RELATIVE_DAYS = {
    "eergisteren": -2,
    "gisteren": -1,
    "vandaag": 0,
    "morgen": 1,
    "overmorgen": 2,
}
DAY_EXAMPLES = "bijvoorbeeld vandaag, gisteren, vr, 12-3 of 8 maart."
ENGLISH_DAYS = {
    "today": "vandaag", "yesterday": "gisteren", "tomorrow": "morgen", "now": "vandaag",
    "monday": "maandag (ma)", "tuesday": "dinsdag (di)", "wednesday": "woensdag (wo)",
    "thursday": "donderdag (do)", "friday": "vrijdag (vr)", "saturday": "zaterdag (za)",
    "sunday": "zondag (zo)",
}
"""English words people type out of habit, and the Dutch word balie takes."""
MONTH_ABBREVIATIONS = (
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
)


def _dateutil_info():
    from dateutil import parser

    class DutchParserInfo(parser.parserinfo):
        """dateutil's parser with Dutch month and weekday names, day before month."""

        JUMP = [" ", ".", ",", ";", "-", "/", "'", "om", "op", "de", "en"]
        WEEKDAYS = [(short, long) for short, long in WEEKDAYS]
        MONTHS = [
            ("jan", "januari"), ("feb", "februari"), ("mrt", "maart", "mar"),
            ("apr", "april"), ("mei",), ("jun", "juni"), ("jul", "juli"),
            ("aug", "augustus"), ("sep", "sept", "september"), ("okt", "oktober", "oct"),
            ("nov", "november"), ("dec", "december"),
        ]
        HMS = [("u", "uur", "h"), ("m", "min", "minuten"), ("s", "sec", "seconden")]
        AMPM: list = []
        PERTAIN: list = []

    return parser, DutchParserInfo(dayfirst=True)


def _weekday(word: str) -> int | None:
    for index, (short, long) in enumerate(WEEKDAYS):
        if word == short or (len(word) >= 2 and long.startswith(word)):
            return index
    return None


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
"""The calendar one can ask balie about; a date outside it is a typing mistake (and
years 1 and 9999 would overflow the moment a day is added or a time zone applied)."""


def parse_day(text: str, today: date, *, prefer: str = "past") -> date:
    """A calendar day typed the Dutch way.

    Accepts vandaag, morgen, gisteren, overmorgen, eergisteren, ma..zo (and full
    weekday names), "12-3", "12-3-2024", "8 maart", "2024-03-12". Without a year,
    ``prefer`` decides between the nearest such day in the past or in the future;
    a weekday likewise means the nearest one (today included).
    """
    raw = fold(text)
    if not raw:
        raise InvalidInput("Vul een datum in, zoals 12-3, vr of gisteren.")
    if raw in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[raw])
    weekday = _weekday(raw)
    if weekday is not None:
        delta = (weekday - today.weekday()) % 7
        return today + timedelta(days=delta) if prefer == "future" else (
            today - timedelta(days=(today.weekday() - weekday) % 7)
        )
    if not re.search(r"\d", raw):
        meant = ENGLISH_DAYS.get(raw)
        raise InvalidInput(f"'{text.strip()}' is geen datum; "
                           + (f"bedoelt u {meant}?" if meant else DAY_EXAMPLES))
    if raw.isdigit():  # dateutil would read "3" as the 3rd of January
        day = int(raw) if len(raw) <= 2 and 0 < int(raw) < 32 else 12
        raise InvalidInput(f"'{text.strip()}' is geen datum; typ ook de maand, bijvoorbeeld "
                           f"{day}-3 voor {day} maart.")
    numeric = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?", raw)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    try:
        if iso:
            parsed, has_year = date(*map(int, iso.groups())), True
        elif numeric:
            # Day before month, always: 12-3 is the twelfth of March.
            day, month, year = numeric.groups()
            has_year = year is not None
            full_year = today.year if year is None else int(year)
            if year is not None and len(year) == 2:
                # "12-3-48": a birth date means 1948, a callback 2048 would be absurd.
                full_year += 2000 if prefer == "future" or full_year + 2000 <= today.year \
                    else 1900
            parsed = date(full_year, int(month), int(day))
        else:
            # Month names ("8 maart", "8 mrt 2024"): dateutil with Dutch names.
            parser, info = _dateutil_info()
            has_year = bool(re.search(r"\d{4}", raw))
            default = datetime(today.year, 1, 1)
            parsed = parser.parse(raw, parserinfo=info, default=default).date()
    except (ValueError, OverflowError) as error:
        raise InvalidInput(_impossible_date_message(text, error)) from None
    if not has_year:
        if prefer == "future" and parsed < today:
            parsed = _same_day_in_year(parsed, parsed.year + 1)
        elif prefer == "past" and parsed > today:
            parsed = _same_day_in_year(parsed, parsed.year - 1)
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise InvalidInput(f"{parsed.day}-{parsed.month}-{parsed.year} is geen datum waar "
                           f"balie over gaat; kies een datum tussen {FIRST_DAY.year} en "
                           f"{LAST_DAY.year}.")
    return parsed


def _same_day_in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without it
        raise InvalidInput(f"{day.day}-{day.month} bestaat niet in {year}.") from None


def _impossible_date_message(text: str, error: Exception) -> str:
    if re.fullmatch(r"[\d\s./-]+", text.strip()):
        return f"{text.strip()} bestaat niet; kijk dag en maand na."
    return f"'{text.strip()}' is geen datum; bijvoorbeeld 12-3, 8 maart of 2024-03-12."


_CLOCK_TIMES = (
    re.compile(r"(?<![\d-])(\d{1,2})[:.](\d{2})(?![\d.-])"),  # 14:30, 9.30
    re.compile(r"(?<![\d-])(\d{1,2})\s*(?:u|uur|h)(\d{2})?(?![\w])"),  # 10u, 10 uur, 14u30
    re.compile(r"^(\d{1,2})()$"),  # a bare hour: "14"
)


def _extract_time(raw: str) -> tuple[time | None, str]:
    """Take a clock time out of ``raw``; return it and the text that is left."""
    for pattern in _CLOCK_TIMES:
        match = pattern.search(raw)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if hour > 23 or minute > 59:
                raise InvalidInput(f"{hour}:{minute:02d} is geen tijd op de klok.")
            rest = (raw[: match.start()] + " " + raw[match.end():]).split()
            return time(hour, minute), " ".join(w for w in rest if w != "om")
    return None, raw


@dataclass(frozen=True)
class Moment:
    """A parsed moment and whether the person typed a time (or only a day)."""

    at: datetime
    has_time: bool


CALLBACK_DAY_START = time(9, 0)
"""A callback on a day without a time is due from the start of that working day."""


def parse_moment(
    text: str, now: datetime, *, max_days_ahead: int = 366, allow_past: bool = False
) -> Moment:
    """A future moment for a callback: "14:30", "morgen 10u", "vr", "12-3", "12-3 9.30".

    A time without a day means today, or tomorrow if that time has passed. A day
    without a time means the start of that working day (or now, for today).
    """
    raw = fold(text)
    if not raw:
        raise InvalidInput("Vul een tijd of dag in, zoals 14:30, morgen 10u, vr of 12-3.")
    local_now = now.astimezone(AMSTERDAM)
    today = local_now.date()
    at_time, raw = _extract_time(raw)
    if raw:
        day = parse_day(raw, today, prefer="future")
    elif at_time is not None:
        day = today if at_time > local_now.time() else today + timedelta(days=1)
    else:  # pragma: no cover - raw was non-empty before
        raise InvalidInput("Vul een tijd of dag in.")
    if at_time is None:
        if day == today:
            moment = local_now.replace(second=0, microsecond=0)
        else:
            moment = datetime.combine(day, CALLBACK_DAY_START, tzinfo=AMSTERDAM)
    else:
        moment = datetime.combine(day, at_time, tzinfo=AMSTERDAM)
    if moment < local_now.replace(second=0, microsecond=0) and not allow_past:
        raise InvalidInput("Dat moment is al voorbij; terugbellen kan alleen vooruit.")
    if (moment.date() - today).days > max_days_ahead:
        raise InvalidInput("Dat is meer dan een jaar vooruit; kijk de datum na.")
    return Moment(moment, at_time is not None)


def describe_moment(moment: datetime, now: datetime) -> str:
    """"vandaag 14:30", "morgen 10:00", "vr 13 mrt 09:00": how the desk reads it back."""
    local = moment.astimezone(AMSTERDAM)
    today = now.astimezone(AMSTERDAM).date()
    days = (local.date() - today).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"vandaag {clock}"
    if days == 1:
        return f"morgen {clock}"
    weekday = WEEKDAYS[local.weekday()][0]
    month = MONTH_ABBREVIATIONS[local.month - 1]
    year = f" {local.year}" if local.year != today.year else ""
    return f"{weekday} {local.day} {month}{year} {clock}"


def parse_day_range(text: str, today: date) -> tuple[date, date]:
    """One day, or two with "t/m" between them: ``12-11``, ``1-11 t/m 22-11``."""
    parts = re.split(r"\s+t/?m\s+", text.strip(), flags=re.IGNORECASE)
    if len(parts) > 2 or not all(p.strip() for p in parts):
        raise InvalidInput("Typ een datum, of twee met t/m ertussen (1-11 t/m 22-11).")
    first = parse_day(parts[0], today)
    last = parse_day(parts[-1], today)
    if last < first:
        raise InvalidInput(f"{last:%d-%m-%Y} ligt vóór {first:%d-%m-%Y}.")
    return first, last
