"""The sociale kaart a database starts with: the partners WMD's own documents name.

Source: ``shared/DOMAIN.md`` and the documents in ``shared/seeds/`` (the 2023 annual
report above all: the partners of client support's referrals, the Taalhuis, Welzijn op
Recept, the senior work's activities, buurtbemiddeling). The documents name these
organisations and say what they do; they give no phone numbers, e-mail addresses or
opening hours, so those stay empty and the screens show them as "nog aanvullen" until
beheer fills them in (``balie kaart set`` or the kaart screen). The only contact
details here are those the documents give: WMD's three hubs and its website (the 2015
visit report). Nothing is marked as checked: every entry starts as "nooit
gecontroleerd", and a year after it came on the kaart beheer is told to check it.

The referral targets of earlier versions (``REFERRAL_TARGETS`` in
:mod:`balie.domain.reference_data`) keep their names, so the routing rules and the
history that name them stay valid; migration 0009 gives them what they offer and their
topics from here.
"""

from __future__ import annotations

from dataclasses import dataclass

WMD = "WMD"
"""Welzijnswerk Midden-Drenthe, as its own entries are named: short, so the service
(what tells them apart) stays readable in narrow columns; found by the long name too."""
WMD_HUBS = "Karspelhuis (Beilen), 't Beurtschip (Smilde), Kruumtenhoes (Westerbork)"
WMD_WEBSITE = "www.welzijnswerkmd.nl"
"""As the 2015 visit report gives it (to be checked, like every seeded entry)."""


@dataclass(frozen=True)
class SeedEntry:
    organisation: str
    service: str
    offers: str
    topics: tuple[str, ...]
    """Topic codes (balie.domain.reference_data.TOPICS)."""
    aliases: str = ""
    address: str = ""
    website: str = ""
    note: str = ""


def _wmd(service: str, offers: str, topics: tuple[str, ...], aliases: str = "",
         note: str = "") -> SeedEntry:
    return SeedEntry(WMD, service, offers, topics,
                     f"welzijnswerk midden-drenthe {aliases}".strip(), WMD_HUBS, WMD_WEBSITE,
                     note)


SEED: tuple[SeedEntry, ...] = (
    # The referral targets of earlier versions (names unchanged).
    SeedEntry("Gemeente Wmo-loket", "",
              "Aanvragen bij de gemeente Midden-Drenthe voor Wmo-voorzieningen: hulp in het "
              "huishouden, hulpmiddelen, vervoer, begeleiding en dagbesteding.",
              ("care_wmo", "aids_transport", "guidance_daycare"),
              "gemeente wmo maatwerkvoorziening indicatie"),
    SeedEntry("Sociaal Raadsvrouw", "",
              "Hulp bij brieven, formulieren en regelingen van instanties (belastingen, "
              "toeslagen, uitkeringen).",
              ("paperwork", "finances", "work_income"),
              "sociaal raadslieden formulieren toeslagen"),
    SeedEntry("Veilig Thuis Drenthe", "",
              "Advies- en meldpunt huiselijk geweld, kindermishandeling en "
              "ouderenmishandeling.",
              ("domestic_violence",), "huiselijk geweld mishandeling melden",
              note="Bij acuut gevaar: 112."),
    SeedEntry("Huisarts", "",
              "De eigen huisarts of praktijkondersteuner (POH, ook POH-GGZ); verwijst door "
              "naar Welzijn op Recept en specialistische zorg.",
              ("care_wmo", "psychosocial"), "poh praktijkondersteuner dokter"),
    SeedEntry("Juridisch Loket", "",
              "Gratis juridisch advies, bijvoorbeeld bij conflicten met instanties, "
              "huur, werk of scheiding.",
              ("paperwork", "housing", "work_income", "relationship_family"),
              "juridisch advies recht"),
    SeedEntry("Budgetconsulent", "",
              "Hulp bij budgetteren, schulden en betalingsachterstanden.",
              ("finances",), "schulden budgetcoach geldzaken"),
    SeedEntry("Casemanager dementie", "",
              "Begeleiding van mensen met dementie en hun naasten.",
              ("care_wmo", "informal_care"), "dementie alzheimer"),
    SeedEntry("Woningcorporatie", "",
              "Huur, reparaties en woonproblemen bij een huurwoning (zie ook Actium en "
              "Woonservice).",
              ("housing",), "huurwoning verhuurder"),
    SeedEntry("Overig", "",
              "Een adres dat niet op de sociale kaart staat: noem het in de omschrijving.",
              ("other",)),
    # Partners the documents name.
    SeedEntry("Humanitas", "",
              "Vrijwilligers die thuis helpen, onder meer met de thuisadministratie; "
              "partner in het Taalhuis.",
              ("paperwork", "finances", "loneliness"),
              "thuisadministratie vrijwilligers maatje"),
    SeedEntry("De Zonnebloem", "",
              "Vrijwilligers voor bezoek, uitjes en ontmoeting voor mensen met een "
              "lichamelijke beperking of op leeftijd.",
              ("loneliness",), "zonnebloem bezoek uitje"),
    SeedEntry("GGZ Drenthe", "",
              "Specialistische geestelijke gezondheidszorg (verwijzing via de huisarts).",
              ("psychosocial",), "ggz psychisch psychiatrie"),
    SeedEntry("VNN", "verslavingszorg",
              "Verslavingszorg Noord Nederland: hulp bij verslaving aan alcohol, drugs of "
              "gokken.",
              ("addiction",), "verslavingszorg alcohol drugs gokken"),
    SeedEntry("UWV", "",
              "Uitkeringen bij werkloosheid of ziekte (WW, WIA, Wajong) en werk zoeken.",
              ("work_income",), "uitkering ww wia wajong werkloos"),
    SeedEntry("Taalhuis Midden-Drenthe", "",
              "Beter leren lezen, schrijven, rekenen en omgaan met de computer: taalmaatjes, "
              "de Avondschool en de Ontmoetingsgroep.",
              ("paperwork", "other"), "bibliotheek laaggeletterdheid lezen schrijven taal "
              "digitaal klik tik",
              address="De bibliotheken in Beilen, Smilde en Westerbork"),
    SeedEntry("CJG", "Centrum Jeugd en Gezin",
              "Vragen over opvoeden en opgroeien; de jeugdteams en het jongerenwerk.",
              ("relationship_family",), "jeugd opvoeding jongeren gezin"),
    SeedEntry("Vluchtelingenwerk", "",
              "Begeleiding van vluchtelingen en statushouders; partner in het Taalhuis.",
              ("paperwork", "other"), "statushouder vluchteling asiel"),
    SeedEntry("Voedselbank", "",
              "Voedselpakketten voor huishoudens die te weinig overhouden om van te leven.",
              ("finances",), "voedselpakket eten armoede"),
    SeedEntry("MantelzorgNL", "",
              "Landelijke vereniging voor mantelzorgers: informatie, advies en de "
              "mantelzorgwaardering.",
              ("informal_care",), "mantelzorger"),
    SeedEntry("Contactpunt Mantelzorg", "",
              "Informele organisatie voor en door mantelzorgers met activiteiten, gesteund "
              "door de mantelzorgconsulent van WMD.",
              ("informal_care", "loneliness"), "cpm mantelzorger"),
    SeedEntry("Actium", "",
              "Woningcorporatie: huur, reparaties en woonproblemen.",
              ("housing",), "woningcorporatie huur"),
    SeedEntry("Woonservice", "",
              "Woningcorporatie: huur, reparaties en woonproblemen.",
              ("housing",), "woningcorporatie huur"),
    # Welzijnswerk Midden-Drenthe's own services that the desk informs about.
    _wmd("mantelzorgconsulent",
         "Steun en advies voor mantelzorgers, ook jonge mantelzorgers; respijt en "
         "activiteiten.",
         ("informal_care",), "mantelzorger overbelast respijt"),
    _wmd("Welzijn op Recept",
         "Met een welzijnscoach werken aan een zinvol en fijner leven na een ingrijpende "
         "gebeurtenis.",
         ("psychosocial", "loneliness"), "welzijnscoach recept",
         note="Verwijzing via de huisarts."),
    _wmd("Pluscafé",
         "Ontmoeting voor senioren; ook de Studiekring, de kaartclub en Meer Bewegen voor "
         "Ouderen (zwemmen, zitgymnastiek, yoga).",
         ("loneliness",), "senioren ontmoeting bewegen mbvo"),
    _wmd("seniorenrestaurant",
         "Samen eten en elkaar ontmoeten, voor senioren.",
         ("loneliness",), "senioren eten maaltijd"),
    _wmd("buurtbemiddeling",
         "Getrainde vrijwilligers bemiddelen bij ruzie of overlast tussen buren.",
         ("housing", "other"), "buren burenruzie overlast geluidsoverlast"),
)
