"""Type-ahead: two or three letters find the village, topic or referral target."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie.domain.intake import topic_candidates, village_candidates
from balie.domain.lookup import rank, resolve, resolve_many


@pytest.fixture
def villages(ref):
    return village_candidates(ref)


@pytest.fixture
def topics(ref):
    return topic_candidates(ref)


@pytest.mark.parametrize(
    ("typed", "village"),
    [
        ("bei", "Beilen"), ("BEI", "Beilen"), ("be", "Beilen"), ("bov", "Bovensmilde"),
        ("n-b", "Nieuw-Balinge"), ("nieuw", "Nieuw-Balinge"), ("nb", "Nieuw-Balinge"),
        ("wes", "Westerbork"), ("elp", "Elp"), ("lieving", "Lieving/Makkum"),
        ("makkum", "Lieving/Makkum"), ("buiten", "Buiten Midden-Drenthe"),
        ("onb", "Onbekend"), ("smilde", "Smilde"), ("hoogers", "Hoogersmilde"),
    ],
)
def test_a_few_letters_find_the_village(villages, typed, village):
    assert resolve(typed, villages).chosen.name == village


def test_hoog_offers_both_hoog_villages_largest_first(villages):
    result = resolve("hoog", villages)
    assert result.chosen is None and result.ambiguous
    assert [c.name for c in result.options] == ["Hoogersmilde", "Hooghalen"]


def test_search_words_find_villages_of_a_named_area(villages):
    assert {c.name for c in rank("broekstreek", villages)} == {"Balinge", "Garminge", "Mantinge"}


def test_matching_ignores_accents(topics):
    assert resolve("financien", topics).chosen.name == "Financiën"
    assert resolve("FINANCIËN", topics).chosen.name == "Financiën"


def test_nothing_found_is_reported_as_no_options(villages):
    result = resolve("xyz", villages)
    assert result.chosen is None and not result.ambiguous and result.options == ()


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("e", ["Eenzaamheid en contact"]),
        ("fin, wonen", ["Financiën", "Wonen"]),
        ("fin wonen", ["Financiën", "Wonen"]),
        ("1 3", ["Financiën", "Zorg en Wmo"]),
        ("zorg en wmo", ["Zorg en Wmo"]),
        ("Huiselijk geweld en onveiligheid", ["Huiselijk geweld en onveiligheid"]),
        ("hg", ["Huiselijk geweld en onveiligheid"]),
        ("schulden", ["Financiën"]),  # a search word
        ("fin, fin", ["Financiën"]),  # no duplicates
        ("", []),
    ],
)
def test_topics_by_letters_numbers_or_search_words(topics, typed, chosen):
    result = resolve_many(typed, topics)
    assert [c.name for c in result.chosen] == chosen
    assert result.unresolved == ()


def test_an_ambiguous_topic_lists_its_options(topics):
    result = resolve_many("fin w", topics)
    assert [c.name for c in result.chosen] == ["Financiën"]
    piece, options = result.unresolved[0]
    assert piece == "w" and [o.name for o in options][:2] == ["Wonen", "Werk en inkomen"]


def test_a_number_out_of_range_is_unresolved(topics):
    assert resolve_many("99", topics).unresolved == (("99", ()),)
    assert resolve_many("1" * 5000, topics).unresolved == (("1" * 5000, ()),)


@given(st.text(max_size=30))
def test_resolving_never_fails_and_only_offers_real_candidates(seeded_reference, text):
    ref = seeded_reference
    candidates = village_candidates(ref)
    result = resolve(text, candidates)
    assert set(result.options) <= set(candidates)
    assert result.chosen is None or result.chosen in result.options
    many = resolve_many(text, topic_candidates(ref))
    assert len(set(many.chosen)) == len(many.chosen)
