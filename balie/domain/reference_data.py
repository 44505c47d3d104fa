"""The reference data a new database is seeded with.

Source: ``shared/DOMAIN.md`` (inhabitants per village part on 1 January 2024, the three
teams of Welzijnswerk Midden-Drenthe, the topics of its annual reports). After seeding,
everything here is ordinary data: ``balie ref`` adds, renames and retires entries without
a code change, and retired entries stay visible in history and reports.
"""

from __future__ import annotations

# Areas in report order. The five large kernen are each their own area; the small
# villages are grouped by the hub (Beilen, Westerbork, Smilde) whose staff serve them.
AREAS: tuple[str, ...] = (
    "Beilen",
    "Westerbork",
    "Smilde",
    "Bovensmilde",
    "Hoogersmilde",
    "Dorpen rond Beilen",
    "Dorpen rond Westerbork",
    "Dorpen rond Smilde",
    "Overig",
)

OUTSIDE_VILLAGE = "Buiten Midden-Drenthe"
UNKNOWN_VILLAGE = "Onbekend"

# (name, area, inhabitants or None where the source only says "under 40", aliases)
# Aliases are extra words the type-ahead also matches (e.g. "Broekstreek").
VILLAGES: tuple[tuple[str, str, int | None, str], ...] = (
    ("Beilen", "Beilen", 11665, ""),
    ("Westerbork", "Westerbork", 4755, ""),
    ("Smilde", "Smilde", 4575, ""),
    ("Bovensmilde", "Bovensmilde", 3375, ""),
    ("Hoogersmilde", "Hoogersmilde", 1715, ""),
    ("Hooghalen", "Dorpen rond Beilen", 1420, ""),
    ("Wijster", "Dorpen rond Beilen", 1095, ""),
    ("Nieuw-Balinge", "Dorpen rond Beilen", 960, ""),
    ("Hijken", "Dorpen rond Beilen", 950, ""),
    ("Witteveen", "Dorpen rond Westerbork", 600, ""),
    ("Drijber", "Dorpen rond Beilen", 485, ""),
    ("Zwiggelte", "Dorpen rond Westerbork", 470, ""),
    ("Elp", "Dorpen rond Westerbork", 380, ""),
    ("Spier", "Dorpen rond Beilen", 375, ""),
    ("Orvelte", "Dorpen rond Westerbork", 230, ""),
    ("Lieving/Makkum", "Dorpen rond Beilen", 215, ""),
    ("Mantinge", "Dorpen rond Westerbork", 180, "Broekstreek"),
    ("Holthe", "Dorpen rond Beilen", 130, ""),
    ("Laaghalen", "Dorpen rond Beilen", 120, ""),
    ("Garminge", "Dorpen rond Westerbork", 115, "Broekstreek"),
    ("Oranje", "Dorpen rond Beilen", 110, ""),
    ("Balinge", "Dorpen rond Westerbork", 90, "Broekstreek"),
    ("Brunsting", "Dorpen rond Beilen", 90, ""),
    ("Zuidveld", "Dorpen rond Beilen", 70, ""),
    ("Eursinge", "Dorpen rond Beilen", 60, ""),
    ("Bruntinge", "Dorpen rond Westerbork", None, ""),
    ("Hijkersmilde", "Dorpen rond Smilde", None, ""),
    ("Laaghalerveen", "Dorpen rond Beilen", None, ""),
    (OUTSIDE_VILLAGE, "Overig", None, "elders"),
    (UNKNOWN_VILLAGE, "Overig", None, "?"),
)

# Route codes are stable identifiers that rules and logic refer to; names are display
# text and may be renamed. Kind: a team receives the inquiry; "desk" and "external"
# are outcomes that stay at the desk but count in every report.
ROUTE_TEAM = "team"
ROUTE_DESK = "desk"
ROUTE_EXTERNAL = "external"

CLIENT_SUPPORT = "client_support"
SOCIAL_WORK = "social_work"
SENIOR_WORK = "senior_work"
DESK = "desk"
EXTERNAL = "external"

ROUTES: tuple[tuple[str, str, str], ...] = (
    (CLIENT_SUPPORT, "Cliëntondersteuning", ROUTE_TEAM),
    (SOCIAL_WORK, "Maatschappelijk werk", ROUTE_TEAM),
    (SENIOR_WORK, "Seniorenwerk", ROUTE_TEAM),
    (DESK, "Afgehandeld aan de balie", ROUTE_DESK),
    (EXTERNAL, "Extern doorverwezen", ROUTE_EXTERNAL),
)

ROUTE_SHORT_NAMES = {
    CLIENT_SUPPORT: "Cliëntond.",
    SOCIAL_WORK: "Maatsch.",
    SENIOR_WORK: "Senioren",
    DESK: "Balie",
    EXTERNAL: "Extern",
}

# Where "extern doorverwezen" sends people (DOMAIN.md: formal support partners).
REFERRAL_TARGETS: tuple[str, ...] = (
    "Gemeente Wmo-loket",
    "Sociaal Raadsvrouw",
    "Veilig Thuis Drenthe",
    "Huisarts",
    "Juridisch Loket",
    "Budgetconsulent",
    "Casemanager dementie",
    "Woningcorporatie",
    "Overig",
)

# How a team closes an inquiry: the categories of the annual report (DOMAIN.md).
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("information_advice", "Informatie en advies"),
    ("short_support", "Kortdurende ondersteuning"),
    ("case_direction", "Regie tijdelijk overgenomen"),
    ("referred_informal", "Doorverwezen: voorliggend informeel"),
    ("referred_formal", "Doorverwezen: voorliggend formeel"),
    ("referred_wmo", "Doorverwezen: maatwerkvoorziening/Wmo"),
    ("referred_internal", "Doorverwezen: intern"),
    ("no_contact", "Geen contact mogelijk"),
)

CHANNELS: tuple[tuple[str, str], ...] = (
    ("phone", "Telefoon"),
    ("desk", "Balie"),
    ("email", "E-mail"),
    ("home_visit", "Huisbezoek"),
)

DOMESTIC_VIOLENCE = "domestic_violence"

TOPICS: tuple[tuple[str, str], ...] = (
    ("finances", "Financiën"),
    ("housing", "Wonen"),
    ("care_wmo", "Zorg en Wmo"),
    ("aids_transport", "Hulpmiddelen en vervoer"),
    ("guidance_daycare", "Begeleiding en dagbesteding"),
    ("loneliness", "Eenzaamheid en contact"),
    ("informal_care", "Mantelzorg"),
    ("psychosocial", "Psychosociaal"),
    ("relationship_family", "Relatie en gezin"),
    (DOMESTIC_VIOLENCE, "Huiselijk geweld en onveiligheid"),
    ("addiction", "Verslaving"),
    ("work_income", "Werk en inkomen"),
    ("paperwork", "Administratie en formulieren"),
    ("other", "Overig"),
)

# Extra search words per topic for the type-ahead ("schulden" finds Financiën).
TOPIC_ALIASES: dict[str, str] = {
    "finances": "schulden geld budget rekeningen toeslagen betalingsachterstand",
    "housing": "huur huurtoeslag woning verhuizen",
    "care_wmo": "wmo zorg huishoudelijke hulp indicatie",
    "aids_transport": "scootmobiel rolstoel rollator vervoer traplift",
    "guidance_daycare": "dagbesteding begeleiding",
    "loneliness": "eenzaam alleen contact",
    "informal_care": "mantelzorger overbelast respijt",
    "psychosocial": "spanning stress somber rouw angst",
    "relationship_family": "scheiding gezin relatie opvoeding",
    "domestic_violence": "geweld onveilig mishandeling veilig thuis",
    "addiction": "alcohol drugs gokken",
    "work_income": "uitkering werk inkomen baan",
    "paperwork": "formulier brief digid papieren",
}

ROLES: tuple[tuple[str, str], ...] = (
    ("balie", "Balie: registreren, eigen lijst van vandaag, terugbelverzoeken"),
    ("team", "Team: eigen werkvoorraad en vragen"),
    ("teamleider", "Teamleider: alle overzichten, overdrachten, lijsten van alle teams"),
    ("beheer", "Beheer: referentiegegevens, medewerkers, bewaartermijnen, auditlog"),
)
ROLE_CODES = tuple(code for code, _ in ROLES)


MAX_INHABITANTS = 10_000_000
"""More inhabitants than a village can have: a typing mistake (and far below what
SQLite's integers hold)."""
