"""The routing rules: data an administrator edits, checked on their own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie.domain.routing import InvalidRules, default_rules_text, parse_rules


@pytest.fixture
def rules(ref):
    return parse_rules(default_rules_text(), ref)


def topics(ref, *names):
    return tuple(ref.topics.named(n) for n in names)


@pytest.mark.parametrize(
    ("village", "age", "topic_names", "route", "reason"),
    [
        ("Hooghalen", 68, ["Eenzaamheid en contact"], "senior_work",
         "68 jaar, eenzaamheid en contact -> seniorenwerk"),
        ("Beilen", 40, ["Financiën", "Psychosociaal"], "social_work",
         "psychosociaal -> maatschappelijk werk"),
        ("Smilde", 45, ["Zorg en Wmo"], "client_support",
         "vraag over zorg en wmo -> cliëntondersteuning"),
        ("Smilde", None, ["Hulpmiddelen en vervoer"], "client_support",
         "vraag over hulpmiddelen en vervoer -> cliëntondersteuning"),
        ("Westerbork", 15, ["Financiën"], "social_work",
         "15 jaar: jeugd -> (school)maatschappelijk werk"),
        ("Beilen", 80, ["Huiselijk geweld en onveiligheid"], "social_work",
         "huiselijk geweld en onveiligheid -> maatschappelijk werk"),
        ("Buiten Midden-Drenthe", 70, ["Eenzaamheid en contact"], "external",
         "woont buiten Midden-Drenthe: de eigen gemeente helpt verder"),
        ("Beilen", 30, ["Administratie en formulieren"], "desk",
         "informatie en advies aan de balie"),
    ],
)
def test_default_rules_suggest_the_team_of_domain_md(ref, rules, village, age, topic_names,
                                                     route, reason):
    suggestion = rules.suggest(ref.villages.named(village), age, topics(ref, *topic_names))
    assert suggestion.route.code == route
    assert suggestion.reason == reason


def test_no_suggestion_without_a_topic(ref, rules):
    assert rules.suggest(ref.villages.named("Beilen"), 70, ()) is None


def test_domestic_violence_is_always_urgent(ref, rules):
    assert "altijd spoed" in rules.urgent_reason(
        topics(ref, "Financiën", "Huiselijk geweld en onveiligheid"))
    assert rules.urgent_reason(topics(ref, "Financiën")) is None


def test_outside_referrals_suggest_a_referral_target(ref, rules):
    suggestion = rules.suggest(ref.villages.named("Buiten Midden-Drenthe"), None,
                               topics(ref, "Wonen"))
    assert ref.directory[suggestion.referral_id].name == "Overig"


@given(age=st.one_of(st.none(), st.integers(0, 120)),
       picked=st.sets(st.integers(0, 13), min_size=1, max_size=3))
def test_client_support_is_never_suggested_under_18(seeded_reference, age, picked):
    ref = seeded_reference
    rules = parse_rules(default_rules_text(), ref)
    chosen = tuple(ref.topics.active[i] for i in sorted(picked))
    for village in ref.villages.active:
        suggestion = rules.suggest(village, age, chosen)
        assert suggestion is not None
        if age is not None and age < 18:
            assert suggestion.route.code != "client_support"


def test_rules_accept_names_or_codes_case_and_accent_insensitively(ref):
    rules = parse_rules(
        '[[rule]]\ntopics = ["FINANCIEN"]\nroute = "Clientondersteuning"\nreason = "x"\n'
        '[[rule]]\nroute = "desk"\nreason = "y"\n',
        ref,
    )
    assert rules.suggest(None, None, topics(ref, "Financiën")).route.code == "client_support"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[rule", "geen geldige TOML"),
        ("", "geen enkele [[rule]]"),
        ('[[rule]]\nroute = "desk"\n', "'reason' ontbreekt"),
        ('[[rule]]\nroute = "nergens"\nreason = "x"\n', "onbekende route 'nergens'"),
        ('[[rule]]\ntopics = ["eenzaam"]\nroute = "desk"\nreason = "x"\n',
         "onbekend onderwerp 'eenzaam'"),
        ('[[rule]]\nvillages = ["Atlantis"]\nroute = "desk"\nreason = "x"\n',
         "onbekend dorp 'Atlantis'"),
        ('[[rule]]\nroute = "desk"\nreason = "{age} jaar"\n', "{age} in de reden"),
        ('[[rule]]\nmin_age = 65\nunknown_age = true\nroute = "desk"\nreason = "{age}"\n',
         "{age} in de reden"),
        ('[[rule]]\nroute = "desk"\nreason = "{topics}"\n', "{topics} in de reden"),
        ('[[rule]]\nmin_age = "oud"\nroute = "desk"\nreason = "x"\n', "'min_age' moet"),
        ('[[rule]]\nroute = "desk"\nreason = "x"\nreferral = "Huisarts"\n',
         "alleen bij een externe route"),
        ('[[rule]]\nroute = "desk"\nreason = "x"\nkleur = "rood"\n', "onbekende sleutel 'kleur'"),
        ('[[regel]]\nroute = "desk"\n', "Onbekende onderdelen: regel"),
        ("a = " + "[" * 5000 + "]" * 5000, "te diep in elkaar genest"),
        ('[[urgent]]\nreason = "x"\n[[rule]]\nroute = "desk"\nreason = "x"\n',
         "noem minstens een onderwerp"),
    ],
)
def test_bad_rules_are_refused_with_every_problem_named(ref, text, problem):
    with pytest.raises(InvalidRules) as error:
        parse_rules(text, ref)
    assert any(problem in p for p in error.value.problems), error.value.problems
