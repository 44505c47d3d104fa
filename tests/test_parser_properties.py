"""Properties of every parser and validator of typed input.

Whatever is typed (unicode, control characters, foreign digits, numbers thousands of
digits long, nothing at all), a parser returns a valid value or raises the project's own
error with a Dutch message (InvalidInput; InvalidRules for routing rules), never any
other exception. Values balie formats for the screen parse back to themselves, and input
that is well-formed by construction is accepted as exactly what it says. The examples
per test are bounded so that this file runs in a few seconds.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from balie.db.settings import (
    ADJUSTABLE,
    MAX_WAIT_HOURS,
    OFFICE_HOURS,
    adjust_setting,
    office_settings,
    set_setting,
)
from balie.domain.intake import (
    GENDERS,
    IntakeDraft,
    check,
    referral_candidates,
    topic_candidates,
    village_candidates,
)
from balie.domain.lookup import resolve, resolve_many
from balie.domain.parsing import (
    MAX_NAME,
    MAX_SUMMARY,
    MONTH_ABBREVIATIONS,
    RELATIVE_DAYS,
    WEEKDAYS,
    InvalidInput,
    Moment,
    clean_text,
    describe_moment,
    elfproef,
    find_bsn,
    format_phone,
    parse_age,
    parse_day,
    parse_moment,
    parse_name,
    parse_phone,
    parse_postcode,
    parse_summary,
)
from balie.domain.periods import FIRST_DAY, KINDS, LAST_DAY, MONTHS, containing, parse_period
from balie.domain.reference_data import DOMESTIC_VIOLENCE, ROUTE_DESK, ROUTE_EXTERNAL
from balie.domain.routing import (
    PLACEHOLDERS,
    RULE_KEYS,
    URGENT_KEYS,
    InvalidRules,
    RuleSet,
    default_rules_text,
    parse_rules,
)
from balie.domain.text import fold
from balie.domain.timekeeping import AMSTERDAM
from balie.domain.workhours import OfficeHours, parse_office_hours
from tests.conftest import FROZEN_NOW, admin

TODAY = date(2026, 3, 10)  # a Tuesday
NOW = FROZEN_NOW  # 10:30 in Beilen that day

# --- what someone might type -----------------------------------------------------------

# Pieces of real input: words the parsers know, digits, separators and their neighbours.
PIECES = [
    "vandaag", "morgen", "gisteren", "overmorgen", "ma", "vr", "zondag", "maart", "mrt",
    "mei", "dec", "jaar", "jr", "j.", "uur", "u", "h", "om", "tot", "q", "Q3", "kwartaal",
    "+31", "0031", "00", "+", "(0)", "06", "0593", "020", "AB", "ss", "1948", "2024", "2199",
    "1899", "0000", "29-2", "31", "12", "9", "0", "99", "120", "121", "-", "/", ".", ":",
    ",", ";", "|", "–", " ", "  ", "\n", "\t", "'", '"', "[", "]", "{", "}", "=",
]
typed = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
odd = st.text(st.characters(categories=("Nd", "No", "Nl", "Zs", "Zl", "Cc", "Cf", "Cs", "Mn")),
              max_size=12)
huge_number = st.integers(5, 6000).map(lambda n: "9" * n) | st.integers(5, 6000).map(
    lambda n: "1" * n)
# Well-formed input with some digits written in another script: fullwidth, as an Asian
# input method types them, Arabic-Indic and Devanagari (all "digits" to str.isdigit).
WELL_FORMED = ["9411 AB", "06-12345678", "+49 30 1234567", "0031 593 123456", "78", "1948",
               "12-3-1948", "14:30", "morgen 10u", "9:00-17:00", "4,5", "2024-03", "2024-Q1"]
OTHER_DIGITS = ["０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"]


@st.composite
def other_digits(draw):
    text, digits = draw(st.sampled_from(WELL_FORMED)), draw(st.sampled_from(OTHER_DIGITS))
    return "".join(digits[int(c)] if c.isascii() and c.isdigit() and draw(st.booleans())
                   else c for c in text)


HOSTILE = st.one_of(
    st.text(max_size=60),  # any unicode, lone surrogates excepted
    other_digits(),
    typed,
    odd,  # foreign digits, odd spaces, control and format characters, lone surrogates
    huge_number,  # beyond Python's 4300-digit int() limit too
    st.tuples(typed, odd, typed).map("".join),
)


def answer(parse, text):
    """What a parser makes of ``text``: its value, or the InvalidInput it raised.

    Any other exception propagates and fails the test.
    """
    try:
        return parse(text)
    except InvalidInput as error:
        assert isinstance(error.message, str) and error.message.strip()
        return error


def has_no_control_characters(text: str, *, newlines: bool = False) -> bool:
    return all(
        (newlines and c == "\n") or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F)
        for c in text
    )


# --- every parser, on anything ---------------------------------------------------------


def valid_phone(value, text) -> bool:
    if value is None:
        return not clean_text(text)
    if value.startswith("+31"):
        # Nine digits after +31, or an information number (0800, 0900, 0906, 0909)
        # with four to seven digits: 0800 0000000 is a real freephone number.
        return re.fullmatch(r"\+31(?:[1-9][0-9]{8}|(?:800|90[069])[0-9]{4,7})", value) \
            is not None
    # A foreign number (kept as typed): ASCII digits and separators only.
    return re.fullmatch(r"(\+|00)[1-9][0-9]{5,14}", re.sub(r"[\s().-]", "", value)) is not None


def valid_postcode(value, text) -> bool:
    return value is None and not clean_text(text) or \
        re.fullmatch(r"[1-9][0-9]{3} [A-Z]{2}", value or "") is not None


def valid_name(value, text) -> bool:
    return value is None or (0 < len(value) <= MAX_NAME and has_no_control_characters(value)
                             and parse_name(value) == value)


def valid_summary(value, text) -> bool:
    return (len(value) <= MAX_SUMMARY and has_no_control_characters(value, newlines=True)
            and parse_summary(value) == value)


def valid_age(value, text) -> bool:
    return value is None or type(value) is int and 0 <= value <= 120


def valid_moment(value, text) -> bool:
    return (isinstance(value, Moment) and value.at.tzinfo is not None
            and NOW.replace(second=0) <= value.at <= NOW + timedelta(days=367))


def valid_office_hours(value, text) -> bool:
    return (isinstance(value, OfficeHours) and value.start < value.end
            and value.start.second == value.end.second == 0)


def valid_wait_hours(value, text) -> bool:
    return type(value) is float and math.isfinite(value) and 0 < value <= 400


def valid_office_setting(value, text) -> bool:
    return re.fullmatch(r"[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]", value) is not None \
        and parse_office_hours(value) == parse_office_hours(text)


def period_checker(kind):
    def valid(value, text) -> bool:
        in_calendar = FIRST_DAY <= value.first <= value.last <= LAST_DAY
        return value.kind == kind and in_calendar and (
            kind == "range" or containing(kind, value.first) == value)
    return valid


PARSERS = {
    "telefoon": (parse_phone, valid_phone),
    "postcode": (parse_postcode, valid_postcode),
    "naam": (parse_name, valid_name),
    "omschrijving": (parse_summary, valid_summary),
    "leeftijd": (lambda t: parse_age(t, TODAY), valid_age),
    "dag (verleden)": (lambda t: parse_day(t, TODAY), lambda v, t: isinstance(v, date)),
    "dag (toekomst)": (lambda t: parse_day(t, TODAY, prefer="future"),
                       lambda v, t: isinstance(v, date)),
    "terugbelmoment": (lambda t: parse_moment(t, NOW), valid_moment),
    "kantoortijden": (parse_office_hours, valid_office_hours),
    "instelling max-wait-hours": (ADJUSTABLE["max-wait-hours"][1], valid_wait_hours),
    "instelling office-hours": (ADJUSTABLE["office-hours"][1], valid_office_setting),
    **{f"periode {kind}": ((lambda k: lambda t: parse_period(k, t, TODAY))(kind),
                           period_checker(kind)) for kind in KINDS},
}


def test_every_adjustable_setting_is_covered():
    assert {f"instelling {name}" for name in ADJUSTABLE} <= set(PARSERS)


@settings(max_examples=200, deadline=None)
@given(HOSTILE)
def test_every_parser_gives_a_valid_value_or_a_dutch_message(text):
    for name, (parse, valid) in PARSERS.items():
        value = answer(parse, text)
        if not isinstance(value, InvalidInput):
            assert valid(value, text), (name, text, value)


# --- phone numbers ---------------------------------------------------------------------

# (area code without the 0, digits after it): mobile, and landlines around Beilen and beyond.
AREAS = [("61", 7), ("62", 7), ("63", 7), ("64", 7), ("65", 7), ("68", 7), ("593", 6),
         ("592", 6), ("591", 6), ("522", 6), ("50", 7), ("20", 7), ("10", 7)]
DUTCH_FORMS = [
    lambda a, n: f"0{a}{n}",
    lambda a, n: f"0{a}-{n}",
    lambda a, n: f"0{a} {n}",
    lambda a, n: f"0{a} " + " ".join(n[i:i + 2] for i in range(0, len(n), 2)),
    lambda a, n: f"(0{a}) {n}",
    lambda a, n: f" 0{a}-{n} ",
    lambda a, n: f"+31{a}{n}",
    lambda a, n: f"+31 {a} {n}",
    lambda a, n: f"+31 (0){a} {n}",
    lambda a, n: f"+31-{a}-{n}",
    lambda a, n: f"0031 {a} {n}",
    lambda a, n: f"0031{a}{n}",
]


@st.composite
def dutch_phone_numbers(draw):
    area, length = draw(st.sampled_from(AREAS))
    number = draw(st.text("0123456789", min_size=length, max_size=length))
    form = draw(st.sampled_from(DUTCH_FORMS))
    return form(area, number), f"+31{area}{number}"


@settings(max_examples=150, deadline=None)
@given(dutch_phone_numbers())
def test_dutch_numbers_in_their_usual_forms_are_stored_as_e164(case):
    typed, stored = case
    assert parse_phone(typed) == stored
    shown = format_phone(stored)
    assert shown.startswith("0") and parse_phone(shown) == stored  # shown, then typed again


@settings(max_examples=60, deadline=None)
@given(country=st.sampled_from(["49", "32", "44", "33", "1", "90", "212"]),
       number=st.text("0123456789", min_size=6, max_size=10),
       plus=st.sampled_from(["+", "00"]), space=st.sampled_from(["", " "]))
def test_foreign_numbers_are_kept_as_typed(country, number, plus, space):
    typed = f"{plus}{country}{space}{number[:3]}{space}{number[3:]}"
    assert parse_phone(typed) == typed


# --- postcodes -------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(digits=st.integers(1000, 9999),
       letters=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=2,
                       max_size=2).filter(lambda s: s.upper() not in ("SA", "SD", "SS")),
       gap=st.sampled_from(["", " ", "  "]), pad=st.sampled_from(["", " "]))
def test_postcodes_in_any_case_and_spacing_are_accepted(digits, letters, gap, pad):
    stored = parse_postcode(f"{pad}{digits}{gap}{letters}{pad}")
    assert stored == f"{digits} {letters.upper()}"
    assert parse_postcode(stored) == stored


# --- names and summaries ---------------------------------------------------------------

printable = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))


@settings(max_examples=100, deadline=None)
@given(st.text(printable, min_size=1, max_size=MAX_NAME))
def test_a_printable_name_is_kept_as_typed(name):
    name = clean_text(name)  # NFC and no outer spaces: how a person's name is written
    assume(name)
    assert parse_name(name) == name


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=MAX_SUMMARY + 50))
def test_text_fields_are_idempotent(text):
    for parse in (parse_name, parse_summary):
        value = answer(parse, text)
        if not isinstance(value, InvalidInput) and value is not None:
            assert parse(value) == value


# --- BSN -------------------------------------------------------------------------------


@st.composite
def bsns(draw):
    """Nine digits that pass the elfproef, by construction."""
    first = draw(st.text("0123456789", min_size=8, max_size=8))
    check_digit = sum(int(d) * w for d, w in zip(first, range(9, 1, -1))) % 11
    assume(check_digit < 10 and first + str(check_digit) != "000000000")
    return first + str(check_digit)


@settings(max_examples=100, deadline=None)
@given(bsn=bsns(), layout=st.sampled_from(["{}", "{0}{1}{2}.{3}{4}{5}.{6}{7}{8}",
                                           "{0}{1}{2} {3}{4}{5} {6}{7}{8}",
                                           "{0}{1}-{2}{3}-{4}{5}{6}{7}{8}"]),
       before=st.text("abc ,.:", max_size=10), after=st.text("abc ,.:", max_size=10))
def test_a_bsn_in_a_summary_is_found(bsn, layout, before, after):
    assert elfproef(bsn)
    written = layout.format(*bsn) if layout != "{}" else bsn
    assert find_bsn(f"{before} {written} {after}") == [bsn]


# --- age -------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(age=st.integers(0, 120), form=st.sampled_from(["{}", "{} jaar", "{}jr", "{} j.", " {} "]))
def test_ages_0_to_120_are_accepted(age, form):
    assert parse_age(form.format(age), TODAY) == age


@settings(max_examples=100, deadline=None)
@given(st.integers(TODAY.year - 120, TODAY.year))
def test_a_birth_year_gives_the_age_this_year(year):
    assert parse_age(str(year), TODAY) == TODAY.year - year


# --- days, moments and periods ---------------------------------------------------------

DAY_FORMS = [
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTH_ABBREVIATIONS[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1].upper()} {d.year}",
]
calendar_days = st.dates(FIRST_DAY, LAST_DAY)
todays = st.dates(date(2000, 1, 1), date(2100, 12, 31))


@settings(max_examples=150, deadline=None)
@given(day=calendar_days, form=st.sampled_from(DAY_FORMS), today=todays,
       prefer=st.sampled_from(["past", "future"]))
def test_a_day_with_its_year_is_that_day(day, form, today, prefer):
    assert parse_day(form(day), today, prefer=prefer) == day


@settings(max_examples=100, deadline=None)
@given(day=st.dates(date(2001, 1, 1), date(2001, 12, 31)), today=todays,
       separator=st.sampled_from(["-", "/", "."]))
def test_a_day_without_a_year_is_the_nearest_in_the_preferred_direction(day, today,
                                                                          separator):
    text = f"{day.day}{separator}{day.month}"
    past = parse_day(text, today, prefer="past")
    future = parse_day(text, today, prefer="future")
    for found in (past, future):
        assert (found.day, found.month) == (day.day, day.month)
    # Within a year: the same day a year on (or back) is already on the other side of today.
    assert past <= today < past.replace(year=past.year + 1)
    assert future.replace(year=future.year - 1) < today <= future


@settings(max_examples=100, deadline=None)
@given(today=todays, index=st.integers(0, 6), long=st.booleans())
def test_a_weekday_is_the_nearest_such_day(today, index, long):
    text = WEEKDAYS[index][1 if long else 0]
    past = parse_day(text, today, prefer="past")
    future = parse_day(text, today, prefer="future")
    assert past.weekday() == future.weekday() == index
    assert 0 <= (today - past).days <= 6 and 0 <= (future - today).days <= 6


def test_relative_days_count_from_today():
    for word, offset in RELATIVE_DAYS.items():
        assert parse_day(word.upper(), TODAY) == TODAY + timedelta(days=offset)


@settings(max_examples=150, deadline=None)
@given(now=st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
       minutes=st.integers(1, 365 * 24 * 60))
def test_a_moment_read_back_in_words_parses_to_itself(now, minutes):
    # Counted in UTC: wall-clock arithmetic would step into the hour the clock skips.
    start = now.replace(second=0, microsecond=0)
    moment = (start + timedelta(minutes=minutes)).astimezone(AMSTERDAM)
    assume(moment.fold == 0)  # the second 02:30 of the autumn night has no words of its own
    words = describe_moment(moment, now)
    assert parse_moment(words, now).at == moment, words


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), day=calendar_days, form=st.sampled_from(DAY_FORMS))
def test_any_day_of_a_period_names_the_period(kind, day, form):
    expected = containing(kind, day)
    found = answer(lambda t: parse_period(kind, t, TODAY), form(day))
    if FIRST_DAY <= expected.first and expected.last <= LAST_DAY:
        assert found == expected
    else:  # a week that begins in 1899 or ends in 2200
        assert isinstance(found, InvalidInput)


@settings(max_examples=150, deadline=None)
@given(day=calendar_days, quarter_form=st.sampled_from(["{y}-Q{q}", "{y}q{q}", "Q{q} {y}",
                                                        "q{q}-{y}", "{y} - q{q}"]))
def test_months_quarters_and_years_in_their_own_forms(day, quarter_form):
    month, year = containing("month", day), containing("year", day)
    quarter = containing("quarter", day)
    assert parse_period("month", f"{day.year}-{day.month:02d}", TODAY) == month
    assert parse_period("month", f"{day.year}-{day.month}", TODAY) == month
    assert parse_period("month", f"{MONTHS[day.month - 1]} {day.year}", TODAY) == month
    assert parse_period("month", f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.year}",
                        TODAY) == month
    assert parse_period("year", str(day.year), TODAY) == year
    typed = quarter_form.format(y=day.year, q=(day.month - 1) // 3 + 1)
    assert parse_period("quarter", typed, TODAY) == quarter
    # A label that reads as a day, a month or a year parses back to its period.
    for kind in ("day", "month", "year"):
        period = containing(kind, day)
        assert parse_period(kind, period.label(), TODAY) == period


# --- office hours and the adjustable settings ------------------------------------------

clock_minutes = st.integers(0, 23 * 60 + 59)


@st.composite
def office_hours_typed(draw):
    start, end = sorted(draw(st.lists(clock_minutes, min_size=2, max_size=2, unique=True)))
    separator = draw(st.sampled_from(["-", " - ", "–", "—", " tot ", "TOT"]))

    def written(minutes: int) -> str:
        hour, minute = divmod(minutes, 60)
        form = draw(st.sampled_from(["{h}:{m:02d}", "{h:02d}:{m:02d}", "{h}.{m:02d}",
                                     "{h}:{m:02d}u", "{h}" if minute == 0 else "{h}:{m:02d}",
                                     "{h}u" if minute == 0 else "{h}.{m:02d} u"]))
        return form.format(h=hour, m=minute)

    text = f"{written(start)}{separator}{written(end)}"
    return text, OfficeHours(time(*divmod(start, 60)), time(*divmod(end, 60)))


@settings(max_examples=150, deadline=None)
@given(office_hours_typed())
def test_office_hours_in_their_usual_forms_are_accepted(case):
    text, expected = case
    assert parse_office_hours(text) == expected
    stored = ADJUSTABLE["office-hours"][1](text)
    assert parse_office_hours(stored) == expected  # stored, then read back
    assert ADJUSTABLE["office-hours"][1](stored) == stored


@settings(max_examples=100, deadline=None)
@given(hundredths=st.integers(1, 40000), comma=st.booleans())
def test_waiting_hours_with_a_dutch_decimal_comma(hundredths, comma):
    whole, rest = divmod(hundredths, 100)
    text = str(whole) if rest == 0 else f"{whole}{',' if comma else '.'}{rest:02d}"
    assert ADJUSTABLE["max-wait-hours"][1](text) == pytest.approx(hundredths / 100)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hours=st.integers(1, 40000), office=office_hours_typed())
def test_an_adjusted_setting_is_what_the_inboxes_use(db, hours, office):
    text, expected = office
    adjust_setting(db, admin(db), "max-wait-hours", f"{hours / 100:g}".replace(".", ","), NOW)
    adjust_setting(db, admin(db), "office-hours", text, NOW)
    assert office_settings(db) == (pytest.approx(hours / 100), expected)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)
stored_values = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 10**400]),
                          st.floats(),
                          st.integers(-10**20, 10**20), st.text(max_size=20), json_values)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wait=stored_values, office=stored_values)
def test_a_setting_that_cannot_be_used_gives_the_default(db, wait, office):
    """Whatever ended up in the settings table, the inboxes get usable values."""
    set_setting(db, MAX_WAIT_HOURS, wait, NOW)
    set_setting(db, OFFICE_HOURS, office, NOW)
    max_hours, hours = office_settings(db)
    assert type(max_hours) is float and math.isfinite(max_hours) and max_hours >= 0
    assert isinstance(hours, OfficeHours) and hours.start < hours.end


# --- routing rules ---------------------------------------------------------------------


def toml(value) -> str:
    """A value in TOML's inline syntax (tomllib reads but does not write)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # nan and inf are TOML too
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"


def toml_document(document: dict) -> str:
    return "".join(f"{json.dumps(k)} = {toml(v)}\n" for k, v in document.items())


def names_of(entries) -> list[str]:
    """How a rules file may name entries: by name (any case, without accents) or code."""
    found = []
    for entry in entries:
        found += [entry.name, entry.name.upper(), fold(entry.name)]
        if getattr(entry, "code", None):
            found.append(entry.code)
    return found


@st.composite
def rule_values(draw, ref):
    names = names_of(ref.routes.all + ref.topics.all + ref.villages.all
                     + ref.directory.all)
    scalar = st.one_of(st.sampled_from(names), st.text(max_size=12), st.integers(-5, 130),
                       st.booleans(), st.floats(), st.sampled_from(["{age}", "{topics} x"]))
    return draw(st.recursive(scalar, lambda inner: st.lists(inner, max_size=4)
                             | st.dictionaries(st.text(max_size=4), inner, max_size=2),
                             max_leaves=5))


@st.composite
def rule_documents(draw, ref):
    """Documents of [[rule]] and [[urgent]] tables with any keys and any values."""
    keys = st.sampled_from(sorted(RULE_KEYS | URGENT_KEYS | {"kleur"}))
    table = st.dictionaries(keys, rule_values(ref), max_size=6)
    document = {}
    for section in draw(st.lists(st.sampled_from(["rule", "urgent", "regel"]), unique=True)):
        document[section] = draw(st.one_of(st.lists(table, max_size=4), rule_values(ref)))
    return toml_document(document)


def deep_nesting(depth: int) -> str:
    return "a = " + "[" * depth + "]" * depth + "\n"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_rules_file_gives_rules_or_every_problem_in_dutch(seeded_reference, data):
    text = data.draw(st.one_of(HOSTILE, rule_documents(seeded_reference),
                               st.sampled_from([10, 300, 3000]).map(deep_nesting)))
    try:
        rules = parse_rules(text, seeded_reference)
    except InvalidRules as error:
        assert error.problems and all(isinstance(p, str) and p.strip()
                                      for p in error.problems)
    else:
        assert isinstance(rules, RuleSet) and rules.rules


reasons = st.text(st.characters(categories=("L", "N", "Zs"), include_characters=".,:->()"),
                  min_size=1, max_size=30).filter(str.strip)


@st.composite
def valid_rules(draw, ref):
    """A rules document that is right by construction, and what each rule must become."""
    def some(entries, most):
        return draw(st.lists(st.sampled_from(entries), max_size=most, unique=True))

    def named(entry):
        return draw(st.sampled_from(names_of([entry])))

    tables, expected = [], []
    for _ in range(draw(st.integers(1, 5))):
        route = draw(st.sampled_from(ref.routes.all))
        topics, villages = some(ref.topics.all, 3), some(ref.villages.all, 2)
        low, high = draw(st.one_of(st.none(), st.integers(0, 120))), \
            draw(st.one_of(st.none(), st.integers(0, 120)))
        unknown_age = draw(st.booleans())
        reason = draw(reasons)
        if topics and draw(st.booleans()):
            reason += " {topics}"
        if (low is not None or high is not None) and not unknown_age and draw(st.booleans()):
            reason = "{age} jaar: " + reason
        if draw(st.booleans()):
            reason += " in {village}"
        table = {"route": named(route), "reason": reason}
        if topics:
            table["topics"] = [named(t) for t in topics]
        if villages:
            table["villages"] = [named(v) for v in villages]
        for key, value in (("min_age", low), ("max_age", high)):
            if value is not None:
                table[key] = value
        if unknown_age or draw(st.booleans()):
            table["unknown_age"] = unknown_age
        referral = None
        if route.kind == ROUTE_EXTERNAL and draw(st.booleans()):
            referral = draw(st.sampled_from(ref.directory.all))
            table["referral"] = named(referral)
        tables.append(table)
        expected.append((route.id, reason.strip(), frozenset(t.id for t in topics),
                         frozenset(v.id for v in villages), low, high, unknown_age,
                         referral.id if referral else None))
    urgent = [{"topics": [named(t) for t in some(ref.topics.all, 2) or ref.topics.all[:1]],
               "reason": draw(reasons)} for _ in range(draw(st.integers(0, 2)))]
    document = {"rule": tables} | ({"urgent": urgent} if urgent else {})
    return toml_document(document), expected


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rules_written_right_are_accepted_as_written(seeded_reference, data):
    ref = seeded_reference
    text, expected = data.draw(valid_rules(ref))
    rules = parse_rules(text, ref)
    assert [(r.route.id, r.reason, r.topic_ids, r.village_ids, r.min_age, r.max_age,
             r.unknown_age, r.referral_id) for r in rules.rules] == expected
    # Whatever the intake looks like, a suggestion's reason has every placeholder filled.
    village = data.draw(st.one_of(st.none(), st.sampled_from(ref.villages.all)))
    age = data.draw(st.one_of(st.none(), st.integers(0, 120)))
    topics = tuple(data.draw(st.lists(st.sampled_from(ref.topics.all), max_size=3,
                                      unique=True)))
    suggestion = rules.suggest(village, age, topics)
    if suggestion is not None:
        assert not any(p in suggestion.reason for p in PLACEHOLDERS), suggestion.reason


# --- type-ahead ------------------------------------------------------------------------


def spellings(name: str) -> list[str]:
    return [name, name.upper(), name.lower(), fold(name), f"  {name} "]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_whole_name_in_any_case_or_without_accents_is_chosen(seeded_reference, data):
    for candidates in (village_candidates(seeded_reference),
                       topic_candidates(seeded_reference),
                       referral_candidates(seeded_reference)):
        wanted = data.draw(st.sampled_from(candidates))
        typed = data.draw(st.sampled_from(spellings(wanted.name)))
        assert resolve(typed, candidates).chosen == wanted, typed


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_several_topics_by_name_or_number_are_all_chosen(seeded_reference, data):
    candidates = topic_candidates(seeded_reference)
    picked = data.draw(st.lists(st.integers(0, len(candidates) - 1), min_size=1, max_size=5))
    by_number = data.draw(st.booleans())
    if by_number:
        text = data.draw(st.sampled_from([" ", ", ", ",", "+", " ; "])).join(
            str(i + 1) for i in picked)
    else:
        text = ", ".join(data.draw(st.sampled_from(spellings(candidates[i].name)))
                         for i in picked)
    result = resolve_many(text, candidates)
    assert result.unresolved == ()
    assert list(result.chosen) == [candidates[i] for i in dict.fromkeys(picked)], text


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_type_ahead_never_fails_on_any_text(seeded_reference, text):
    candidates = topic_candidates(seeded_reference)
    result = resolve_many(text, candidates)
    assert set(result.chosen) <= set(candidates)
    for _, options in result.unresolved:
        assert set(options) <= set(candidates)
    assert set(resolve(text, village_candidates(seeded_reference)).options) <= set(
        village_candidates(seeded_reference))


# --- the intake form -------------------------------------------------------------------

RULES: dict[int, RuleSet] = {}


def default_rules(ref) -> RuleSet:
    if id(ref) not in RULES:
        RULES[id(ref)] = parse_rules(default_rules_text(), ref)
    return RULES[id(ref)]


@st.composite
def any_drafts(draw, ref):
    field = st.one_of(HOSTILE, st.just(""))
    codes = st.sampled_from([""] + [c.code for c in ref.channels.all]) | st.text(max_size=5)
    routes = st.sampled_from([""] + [r.code for r in ref.routes.all]) | st.text(max_size=5)
    return IntakeDraft(
        channel=draw(codes), village=draw(field), age=draw(field),
        gender=draw(st.sampled_from([g[0] for g in GENDERS]) | st.text(max_size=2)),
        topics=draw(field), summary=draw(field), urgent=draw(st.booleans()),
        route=draw(routes), referral=draw(field), callback=draw(field),
        consent=draw(st.booleans()), name=draw(field), phone=draw(field),
        postcode=draw(field), reason=draw(field),
        correction_of=draw(st.one_of(st.none(), st.integers(1, 10**6))),
    )


@settings(max_examples=100, deadline=None)
@given(data=st.data(), for_save=st.booleans())
def test_any_form_gives_field_messages_or_an_inquiry_never_an_error(seeded_reference, data,
                                                                     for_save):
    ref = seeded_reference
    draft = data.draw(any_drafts(ref))
    result = check(draft, ref, default_rules(ref), NOW, for_save=for_save)
    for message in (*result.errors.values(), *result.warnings.values()):
        assert isinstance(message, str) and message.strip()
    if result.data is not None:
        assert not result.errors
    elif for_save:
        assert result.errors  # nothing is refused without saying why
    assert IntakeDraft.from_json(draft.to_json()) == draft  # a stored draft comes back whole


printable_summary = st.text(printable, max_size=200)


@st.composite
def good_drafts(draw, ref):
    """A form filled in right, and the values it must be saved with."""
    channel = draw(st.sampled_from(ref.channels.active))
    village = draw(st.sampled_from(ref.villages.active))
    topics = draw(st.lists(st.sampled_from(ref.topics.active), min_size=1, max_size=3))
    numbered = topic_candidates(ref)
    if draw(st.booleans()):
        typed_topics = ", ".join(draw(st.sampled_from(spellings(t.name))) for t in topics)
    else:
        typed_topics = " ".join(str(next(i for i, c in enumerate(numbered, 1)
                                         if c.value == t)) for t in topics)
    route = draw(st.sampled_from(ref.routes.active))
    # Entries of the sociale kaart: one or two for a referral, maybe some at the desk.
    referrals = draw(st.lists(st.sampled_from(ref.directory.active), unique=True,
                              min_size=1 if route.kind == ROUTE_EXTERNAL else 0,
                              max_size=2 if route.kind in (ROUTE_EXTERNAL, ROUTE_DESK) else 0))
    age = draw(st.one_of(st.none(), st.integers(0, 120)))
    gender = draw(st.sampled_from([g[0] for g in GENDERS]))
    summary = draw(printable_summary)
    consent = draw(st.booleans())
    personal = draw(st.booleans())
    phone, stored_phone = draw(dutch_phone_numbers()) if personal else ("", None)
    name = draw(st.text(printable, max_size=40)) if personal else ""
    callback = draw(st.sampled_from(["", "morgen 10u", "vr 14:00"])) \
        if personal and consent else ""
    followup = draw(st.sampled_from(["", "j", "2w", "over 10 dagen", "vr"])) \
        if personal and consent and referrals else ""
    draft = IntakeDraft(
        channel=channel.code, village=draw(st.sampled_from(spellings(village.name))),
        age="" if age is None else str(age), gender=gender, topics=typed_topics,
        summary=summary, urgent=draw(st.booleans()), route=route.code,
        referral=", ".join(draw(st.sampled_from(spellings(e.name))) for e in referrals),
        followup=followup, callback=callback, consent=consent,
        name=name, phone=phone, postcode="9411 AB" if personal else "",
    )
    expected = dict(
        channel_id=channel.id, village_id=village.id, route_id=route.id,
        topic_ids=tuple(dict.fromkeys(t.id for t in topics)), age=age, gender=gender or None,
        summary=parse_summary(summary), referral_ids=tuple(e.id for e in referrals),
        urgent=draft.urgent or any(t.code == DOMESTIC_VIOLENCE for t in topics),
        consent=consent,
        person_name=parse_name(name) if consent else None,
        phone=stored_phone if consent else None,
        postcode="9411 AB" if consent and personal else None,
    )
    return draft, expected


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_form_filled_in_right_is_saved_as_typed(seeded_reference, data):
    ref = seeded_reference
    draft, expected = data.draw(good_drafts(ref))
    result = check(draft, ref, default_rules(ref), NOW, for_save=True)
    assert result.errors == {}, result.errors
    saved = {key: getattr(result.data, key) for key in expected}
    assert saved == expected
    if draft.callback:
        assert result.data.callback_at > NOW
    assert (result.data.followup_at is not None) == bool(draft.followup)
    if draft.followup:
        assert result.data.followup_at > NOW
