"""Demo region Kassel and Lippe: partner providers and their course offers, as plain data.

Institutions, towns and postcodes are real; streets, dates, prices and schedules are made up
for the demo. Every course is a `zll.course.upserted.v1` data object (contract section 3) and
every skill a real ESCO skill URI (ESCO skills, CC BY 4.0) with its preferred label beside it.
"""

# The ESCO URIs with their labels beside them do not fit in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from zll.demo.partners import partner_courses

__all__ = [
    "DELIBERATE_OVERLAPS",
    "DEMO_PROVIDERS",
    "REGIONS",
    "DemoProvider",
    "ProviderKind",
    "demo_courses",
]

ProviderKind = Literal[
    "volkshochschule",
    "berufliche-schule",
    "schule-fuer-erwachsene",
    "hochschule",
    "kammer",
    "freier-traeger",
    "arbeitgeber",
]


@dataclass(frozen=True)
class DemoProvider:
    """A partner institution as an operator registers it (`PUT /providers/{provider_id}`)."""

    provider_id: str
    name: str
    kind: ProviderKind
    municipality: str


DEMO_PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider("vhs-region-kassel", "Volkshochschule Region Kassel", "volkshochschule", "Kassel"),
    DemoProvider(
        "oskar-von-miller-schule", "Oskar-von-Miller-Schule Kassel", "berufliche-schule", "Kassel"
    ),
    DemoProvider(
        "abendschule-kassel",
        "Abendschule Kassel (Abendrealschule und Abendgymnasium)",
        "schule-fuer-erwachsene",
        "Kassel",
    ),
    DemoProvider("ihk-kassel-marburg", "IHK Kassel-Marburg", "kammer", "Kassel"),
    DemoProvider(
        "vhs-detmold-lemgo", "Volkshochschule Detmold-Lemgo", "volkshochschule", "Detmold"
    ),
    DemoProvider("lippe-bildung", "Lippe Bildung eG", "freier-traeger", "Detmold"),
    DemoProvider(
        "hanse-berufskolleg-lemgo", "Hanse-Berufskolleg Lemgo", "berufliche-schule", "Lemgo"
    ),
    # A chamber and an employer, for the cooperative's consortia (zll/demo/partners.py).
    DemoProvider("hwk-kassel", "Handwerkskammer Kassel", "kammer", "Kassel"),
    DemoProvider("vw-werk-kassel", "Volkswagen Werk Kassel", "arbeitgeber", "Baunatal"),
)

# The centre's two partner regions and the municipalities the demo uses in each.
REGIONS: dict[str, frozenset[str]] = {
    "Stadt und Landkreis Kassel": frozenset({"Kassel", "Baunatal", "Vellmar", "Hofgeismar"}),
    "Kreis Lippe": frozenset({"Detmold", "Lemgo", "Bad Salzuflen", "Lage"}),
}

# ESCO skills, preferred label beside each URI. One URI a line reads best as a table.
# fmt: off
# Welding
MAG_WELDING = "http://data.europa.eu/esco/skill/60ff3eac-7d4d-4e51-87b8-74c3b5d62498"  # perform metal active gas welding
TIG_WELDING = "http://data.europa.eu/esco/skill/a51adea8-bf02-488a-a0d8-b0961caca5b0"  # perform tungsten inert gas welding
WELDING_EQUIPMENT = "http://data.europa.eu/esco/skill/2fcd95a4-1f9a-41cf-95a9-4701bde476b4"  # operate welding equipment
WELDING_TECHNIQUES = "http://data.europa.eu/esco/skill/530cb489-d900-46ab-9350-4d50ccd49eea"  # welding techniques
PROTECTIVE_GEAR = "http://data.europa.eu/esco/skill/6122d586-5978-431f-8e7a-96e61fc1f3fc"  # wear appropriate protective gear
BLUEPRINTS = "http://data.europa.eu/esco/skill/68b6ef08-d823-489d-a95c-752ae6f6e6a7"  # read standard blueprints
# Electrical work
ELECTRICITY = "http://data.europa.eu/esco/skill/c8ac1986-38fa-43b2-89dc-50a4beeb420e"  # electricity
TEST_ELECTRICAL = "http://data.europa.eu/esco/skill/3f6dc31c-ceef-4e93-9d8a-b4b862cf9b51"  # test electrical equipment
MEASURING = "http://data.europa.eu/esco/skill/a9b68e58-766a-403d-b5fe-955b57bdad1b"  # operate electronic measuring instruments
ELECTRICAL_RULES = "http://data.europa.eu/esco/skill/2aff3316-15b8-4ca1-8ae2-270bd5fd22e1"  # electrical equipment regulations
# Office and accounting
SPREADSHEETS = "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"  # use spreadsheets software
MS_OFFICE = "http://data.europa.eu/esco/skill/f683ae1d-cb7c-4aa1-b9fe-205e1bd23535"  # use microsoft office
ACCOUNTING_SYSTEMS = "http://data.europa.eu/esco/skill/a0d79341-8398-4019-ad1b-27888ec35aaa"  # use accounting systems
ACCOUNTING_ENTRIES = "http://data.europa.eu/esco/skill/99b163e8-7815-43e2-83f3-a47f3076354c"  # accounting entries
TRANSACTION_RECORDS = "http://data.europa.eu/esco/skill/648782e0-b5e5-4e59-bed0-627aa8ac29f0"  # maintain records of financial transactions
FINANCIAL_STATEMENTS = "http://data.europa.eu/esco/skill/60f51172-37c0-4933-a27a-cbf55dcd7580"  # prepare financial statements
# Languages and school subjects
GERMAN = "http://data.europa.eu/esco/skill/4812a4ea-dc55-4dc6-b9b0-4a59bba2c647"  # German
GERMAN_LISTENING = "http://data.europa.eu/esco/skill/1d5526b3-f17b-46fc-ba7d-f4a32d908a7e"  # understand spoken German
GERMAN_SPEAKING = "http://data.europa.eu/esco/skill/2abb9db5-350c-444c-8292-0e0b2ce00f9a"  # interact verbally in German
GERMAN_READING = "http://data.europa.eu/esco/skill/486e4f39-e968-41f4-955e-56e9eba96ef5"  # understand written German
GERMAN_WRITING = "http://data.europa.eu/esco/skill/52894650-9077-40f0-96d6-6f07d1a6cafa"  # write German
ENGLISH = "http://data.europa.eu/esco/skill/6d3edede-8951-4621-a835-e04323300fa0"  # English
ENGLISH_SPEAKING = "http://data.europa.eu/esco/skill/0ee9e985-0ee5-4a73-8a12-78b53b261bb2"  # interact verbally in English
ENGLISH_READING = "http://data.europa.eu/esco/skill/7ee20fe2-facd-4cc5-837b-927429e0e7ac"  # understand written English
ENGLISH_WRITING = "http://data.europa.eu/esco/skill/3993c87c-7719-4186-811b-8ddfb40e76be"  # write English
MATHEMATICS = "http://data.europa.eu/esco/skill/4339176e-3acd-4f7f-a5d9-445bee3d23f2"  # mathematics
NUMERACY = "http://data.europa.eu/esco/skill/6fc6f757-6baa-49fe-9a82-6ba6a52f2e13"  # interpret mathematical information
# Digital basics
WEB_SEARCH = "http://data.europa.eu/esco/skill/ba93b71b-c433-4a01-8246-ed2daa85a9a2"  # conduct web searches
PRIVACY = "http://data.europa.eu/esco/skill/33a82b83-c838-4889-ae62-fae1317481eb"  # protect personal data and privacy
DIGITAL_INTERACTION = "http://data.europa.eu/esco/skill/a12057b4-6d11-4a12-ab8e-15a028ef0a6d"  # interact through digital technologies
E_SERVICES = "http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce"  # use e-services
# Care and childcare
TEND_ELDERLY = "http://data.europa.eu/esco/skill/261e740b-d32d-4356-94a8-3ea29128b70b"  # tend to elderly people
PATIENT_SUPPORT = "http://data.europa.eu/esco/skill/24f980ba-b44f-4739-b563-205104c3190d"  # provide basic support to patients
CARE_UNDER_SUPERVISION = "http://data.europa.eu/esco/skill/65a1c226-5d93-4fec-8a15-cb1b2ec4379f"  # work under supervision in care
HYGIENE = "http://data.europa.eu/esco/skill/d9449998-c1f5-478c-a103-2255398cf0b6"  # apply hygiene standards
SOCIAL_CARE_SAFETY = "http://data.europa.eu/esco/skill/5e5d8826-92c4-4274-a6f9-3db6fca9eadc"  # follow health and safety precautions in social care practices
SUPERVISE_CHILDREN = "http://data.europa.eu/esco/skill/f8d4a24c-fb62-444e-9525-7aa5662f440d"  # supervise children
CHILDREN_PHYSICAL_NEEDS = "http://data.europa.eu/esco/skill/beb952e4-8a9c-47af-8a60-c6eb5c5f25bc"  # attend to children's basic physical needs
CHILDREN_PERSONAL_SKILLS = "http://data.europa.eu/esco/skill/8e09fe66-2649-4179-81ef-91fefa3ceee8"  # assist children in developing personal skills
CHILDREN_PARENTS = "http://data.europa.eu/esco/skill/efe801a5-8704-4def-8a96-c32f7a6cb9fb"  # maintain relations with children's parents
FIRST_AID = "http://data.europa.eu/esco/skill/1d21f6ad-340f-45da-a0a3-4e83867f47a6"  # provide first aid
# Training the trainers
ADULT_EDUCATION = "http://data.europa.eu/esco/skill/60856bbb-e5db-4398-babb-300a24a7fe97"  # adult education
LESSON_CONTENT = "http://data.europa.eu/esco/skill/20f57a7f-b90e-4403-8c77-5ddd89b5835b"  # prepare lesson content
TEACH_VOCATIONAL = "http://data.europa.eu/esco/skill/4cd85845-f31c-4306-994d-e12d45114d83"  # teach in academic or vocational contexts
COACH_EMPLOYEES = "http://data.europa.eu/esco/skill/0cc9c234-f817-4f4c-908a-4d28fe3b0f4a"  # coach employees
ASSESS_STUDENTS = "http://data.europa.eu/esco/skill/6fe019dd-027f-45f3-b19c-d27f7ae00980"  # assess students
# Warehouse logistics
FORKLIFT = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"  # operate forklift
WAREHOUSE_OPERATIONS = "http://data.europa.eu/esco/skill/089ddb19-1c7a-43ff-ba64-070f7ce4787a"  # warehouse operations
WAREHOUSE_INVENTORY = "http://data.europa.eu/esco/skill/5d2e82cc-5943-4218-a459-a1956fad2b63"  # manage warehouse inventory
WAREHOUSE_RECORDS = "http://data.europa.eu/esco/skill/055ff233-6569-43db-9f95-a4b03dca97da"  # operate warehouse record systems
# fmt: on

# Two pairs of offers from different providers deliberately compete for the same learners
# (shared skills, overlapping dates, neighbouring towns), so that the coordination report
# (`GET /coordination/overlaps`) has something to find.
DELIBERATE_OVERLAPS: tuple[tuple[str, str], ...] = (
    ("oskar-von-miller-schule:SCHW-MAG-WIG-27", "vhs-region-kassel:BN-SCHWEISSEN-27"),
    ("vhs-detmold-lemgo:DAZ-B1-27", "lippe-bildung:DAZ-B1-LE-27"),
)


def _at(municipality: str, postcode: str, street: str) -> dict[str, str]:
    return {"municipality": municipality, "postcode": postcode, "street": street}


def _module(
    module_id: str, title: str, hours: float, eqf_level: int, certificate: str, *skills: str
) -> dict[str, Any]:
    return {
        "module_id": module_id,
        "title": title,
        "workload_hours": hours,
        "eqf_level": eqf_level,
        "skills": list(skills),
        "certificate": certificate,
    }


def _course(
    course_id: str,
    title: str,
    description: str,
    *,
    format: str,
    location: dict[str, str] | None,
    dates: tuple[str, str],
    schedule: str,
    capacity: int,
    price_eur: int,
    funding: list[str],
    target_groups: list[str],
    modules: list[dict[str, Any]],
    language: str = "de",
) -> dict[str, Any]:
    """One `zll.course.upserted.v1` data object at revision 1; no location when online."""
    course: dict[str, Any] = {
        "course_id": course_id,
        "provider_id": course_id.split(":", 1)[0],
        "revision": 1,
        "title": title,
        "description": description,
        "language": language,
        "format": format,
        "start_date": dates[0],
        "end_date": dates[1],
        "schedule": schedule,
        "capacity": capacity,
        "price_eur": price_eur,
        "funding": funding,
        "target_groups": target_groups,
        "modules": modules,
    }
    if location is not None:
        course["location"] = location
    return course


def demo_courses() -> list[dict[str, Any]]:
    """The demo region's course offers, each a `zll.course.upserted.v1` data object."""
    return _courses() + partner_courses()


def _courses() -> list[dict[str, Any]]:
    # Hand-wrapped as a table; the formatter would give every argument a line of its own.
    # fmt: off
    return [
        # --- Stadt und Landkreis Kassel ---
        _course(
            "oskar-von-miller-schule:SCHW-MAG-WIG-27", "Schweißen Grundkurs MAG/WIG",
            "Abendkurs in der Schweißwerkstatt der Fachschule Technik: MAG- und WIG-Schweißen "
            "an Blech und Rohr, Arbeitsschutz, Schweißzeichnungen lesen.",
            format="onsite", location=_at("Kassel", "34125", "Weserstraße 7"),
            dates=("2027-02-01", "2027-04-28"), schedule="Mo + Mi 17:30–21:00",
            capacity=12, price_eur=1290, funding=["bildungsgutschein"],
            target_groups=["working-age"],
            modules=[
                _module("MAG", "MAG-Schweißen (135)", 60, 3, "module-certificate",
                        MAG_WELDING, WELDING_EQUIPMENT, PROTECTIVE_GEAR),
                _module("WIG", "WIG-Schweißen (141)", 60, 3, "module-certificate",
                        TIG_WELDING, WELDING_TECHNIQUES),
                _module("ZEICHNUNG", "Schweißzeichnungen lesen", 12, 2, "attendance", BLUEPRINTS),
            ],
        ),
        _course(
            "vhs-region-kassel:BN-SCHWEISSEN-27", "Schweißen für Einsteiger:innen (MAG)",
            "Samstagskurs in Baunatal: sicherer Umgang mit dem Schutzgas-Schweißgerät, Kehl- "
            "und Stumpfnähte am Stahlblech.",
            format="onsite", location=_at("Baunatal", "34225", "Marktplatz 14"),
            dates=("2027-02-13", "2027-03-20"), schedule="Sa 09:00–15:00",
            capacity=10, price_eur=385, funding=[], target_groups=["working-age", "transition"],
            modules=[
                _module("MAG-EINSTIEG", "Schutzgasschweißen MAG", 36, 2, "attendance",
                        MAG_WELDING, WELDING_EQUIPMENT, PROTECTIVE_GEAR),
            ],
        ),
        _course(
            "oskar-von-miller-schule:EFFT-27", "Elektrofachkraft für festgelegte Tätigkeiten",
            "Qualifizierung nach DGUV Vorschrift 3 für Beschäftigte aus Metall und Mechatronik: "
            "Grundlagen, Messen und Prüfen, Schutzmaßnahmen.",
            format="blended", location=_at("Kassel", "34125", "Weserstraße 7"),
            dates=("2027-03-08", "2027-05-21"),
            schedule="Präsenzwochen Mo–Fr 08:00–15:30, dazwischen Online-Lernphasen",
            capacity=14, price_eur=1890,
            funding=["qualifizierungschancengesetz", "bildungsgutschein"],
            target_groups=["working-age"],
            modules=[
                _module("GRUNDLAGEN", "Elektrotechnische Grundlagen", 40, 3, "module-certificate",
                        ELECTRICITY),
                _module("MESSEN", "Messen und Prüfen nach DIN VDE 0100-600",
                        40, 4, "module-certificate", MEASURING, TEST_ELECTRICAL),
                _module("VORSCHRIFTEN", "Vorschriften und Schutzmaßnahmen",
                        24, 4, "module-certificate", ELECTRICAL_RULES),
            ],
        ),
        _course(
            "vhs-region-kassel:EXCEL-27", "Excel für den Beruf",
            "Live-Onlinekurs: Formeln, Pivot-Tabellen, Diagramme und saubere Listen für Büro "
            "und Verwaltung.",
            format="online", location=None,
            dates=("2027-03-02", "2027-03-25"), schedule="Di + Do 18:00–20:15",
            capacity=16, price_eur=129, funding=["bildungsurlaub"], target_groups=["working-age"],
            modules=[
                _module("EXCEL", "Tabellenkalkulation mit Excel", 18, 3, "attendance",
                        SPREADSHEETS, MS_OFFICE),
            ],
        ),
        _course(
            "vhs-region-kassel:DIGI-SEN-27",
            "Digital im Alltag – Tablet-Sprechstunde für Senior:innen",
            "Begleitung in der Kleinstgruppe mit zwei Leih-Tablets: Videotelefonie mit der "
            "Familie, sicher im Internet suchen, Termine und Bankgeschäfte online erledigen.",
            format="onsite", location=_at("Vellmar", "34246", "Rathausplatz 1"),
            dates=("2027-04-06", "2027-04-27"), schedule="Di 10:00–11:30",
            capacity=2,  # only two loan tablets; a tiny course lets the demo show the waitlist
            price_eur=0, funding=[], target_groups=["senior"],
            modules=[
                _module("ALLTAG", "Kommunizieren und suchen", 4, 1, "none",
                        DIGITAL_INTERACTION, WEB_SEARCH),
                _module("SICHER", "Online-Dienste sicher nutzen", 2, 1, "attendance",
                        E_SERVICES, PRIVACY),
            ],
        ),
        _course(
            "vhs-region-kassel:KTP-27", "Grundqualifizierung Kindertagespflege",
            "Für angehende Tagesmütter und Tagesväter, mit dem Jugendamt des Landkreises; "
            "mit Praktikum und Erste-Hilfe-Kurs am Kind.",
            format="blended", location=_at("Hofgeismar", "34369", "Bahnhofstraße 9"),
            dates=("2027-01-18", "2027-06-30"), schedule="Mo + Do 18:00–21:15, einzelne Samstage",
            capacity=18, price_eur=0, funding=[], target_groups=["working-age", "early-childhood"],
            modules=[
                _module("BETREUEN", "Kinder betreuen und versorgen", 80, 4, "module-certificate",
                        SUPERVISE_CHILDREN, CHILDREN_PHYSICAL_NEEDS),
                _module("FOERDERN", "Entwicklung begleiten, Eltern einbeziehen",
                        60, 4, "module-certificate", CHILDREN_PERSONAL_SKILLS, CHILDREN_PARENTS),
                _module("ERSTE-HILFE", "Erste Hilfe am Kind", 9, 2, "attendance", FIRST_AID),
            ],
        ),
        _course(
            "abendschule-kassel:RSA-27", "Realschulabschluss für Erwachsene",
            "Zweiter Bildungsweg am Abend: in zwei Semestern zum mittleren Abschluss mit "
            "staatlicher Abschlussprüfung.",
            format="onsite", location=_at("Kassel", "34117", "Hupfeldstraße 8"),
            dates=("2027-02-01", "2027-12-17"), schedule="Mo–Do 18:00–21:30",
            capacity=24, price_eur=0, funding=[], target_groups=["transition", "working-age"],
            modules=[
                _module("DEUTSCH", "Deutsch", 160, 3, "state-recognised", GERMAN),
                _module("MATHE", "Mathematik", 160, 3, "state-recognised", MATHEMATICS, NUMERACY),
                _module("ENGLISCH", "Englisch", 120, 3, "state-recognised", ENGLISH),
            ],
        ),
        _course(
            "ihk-kassel-marburg:ADA-27-1", "Ausbildung der Ausbilder (AdA, IHK)",
            "Vorbereitung auf die Ausbildereignungsprüfung nach AEVO in allen vier "
            "Handlungsfeldern; schriftliche und praktische Prüfung vor der IHK.",
            format="blended", location=_at("Kassel", "34117", "Kurfürstenstraße 9"),
            dates=("2027-02-22", "2027-04-16"), schedule="Mo + Mi 17:30–21:00, zwei Samstage",
            capacity=20, price_eur=545, funding=["aufstiegs-bafoeg"], target_groups=["working-age"],
            modules=[
                _module("HF1", "Ausbildung planen", 20, 4, "none", ADULT_EDUCATION),
                _module("HF2", "Ausbildung vorbereiten, Auszubildende einstellen", 20, 4, "none",
                        LESSON_CONTENT),
                _module("HF3", "Ausbildung durchführen", 45, 4, "none",
                        TEACH_VOCATIONAL, COACH_EMPLOYEES),
                _module("HF4", "Ausbildung abschließen (Prüfung)", 15, 4, "state-recognised",
                        ASSESS_STUDENTS),
            ],
        ),
        # --- Kreis Lippe ---
        _course(
            "vhs-detmold-lemgo:DAZ-B1-27", "Deutsch als Zweitsprache B1",
            "Intensivkurs von A2 nach B1 mit Abschlussprüfung Deutsch-Test für Zuwanderer (DTZ).",
            format="onsite", location=_at("Detmold", "32756", "Krumme Straße 20"),
            dates=("2027-02-08", "2027-06-25"), schedule="Mo–Fr 08:30–12:45",
            capacity=20, price_eur=0, funding=[], target_groups=["working-age"],
            modules=[
                _module("B1-1", "Hören und Sprechen", 150, 2, "none",
                        GERMAN_LISTENING, GERMAN_SPEAKING),
                _module("B1-2", "Lesen und Schreiben", 150, 2, "state-recognised",
                        GERMAN_READING, GERMAN_WRITING),
            ],
        ),
        _course(
            "lippe-bildung:DAZ-B1-LE-27", "Deutsch B1 für den Beruf",
            "Berufsbezogener Deutschkurs am Nachmittag: Gespräche im Betrieb, E-Mails und "
            "Formulare, Vorbereitung auf telc Deutsch B1.",
            format="onsite", location=_at("Lemgo", "32657", "Breite Straße 10"),
            dates=("2027-03-01", "2027-07-09"), schedule="Di + Do 15:00–18:15",
            capacity=16, price_eur=0, funding=[], target_groups=["working-age", "transition"],
            modules=[
                _module("SPRECHEN", "Kommunikation im Betrieb", 80, 2, "attendance",
                        GERMAN_SPEAKING, GERMAN_LISTENING),
                _module("SCHREIBEN", "Schriftverkehr und Formulare", 60, 2, "module-certificate",
                        GERMAN_WRITING, GERMAN_READING),
            ],
        ),
        _course(
            "lippe-bildung:PFLEGE-BQ-27", "Basisqualifizierung Pflegehelfer:in",
            "Einstieg in die Altenpflege: Grundpflege, Hygiene und ein begleiteter Praxiseinsatz "
            "in einer Pflegeeinrichtung in Lippe.",
            format="onsite", location=_at("Lage", "32791", "Lange Straße 32"),
            dates=("2027-03-15", "2027-07-30"), schedule="Mo–Fr 08:00–14:00",
            capacity=18, price_eur=2480, funding=["bildungsgutschein"],
            target_groups=["working-age"],
            modules=[
                _module("GRUNDPFLEGE", "Grundpflege und Alltagsbegleitung",
                        160, 3, "module-certificate", PATIENT_SUPPORT, TEND_ELDERLY),
                _module("HYGIENE", "Hygiene und Arbeitsschutz in der Pflege",
                        40, 3, "module-certificate", HYGIENE, SOCIAL_CARE_SAFETY),
                _module("PRAXIS", "Praxiseinsatz", 200, 3, "attendance", CARE_UNDER_SUPERVISION),
            ],
        ),
        _course(
            "lippe-bildung:FIBU-DATEV-27", "Finanzbuchhaltung mit DATEV",
            "Laufende Buchhaltung in DATEV: Belege kontieren, Umsatzsteuer-Voranmeldung, "
            "vorbereitende Jahresabschlussarbeiten.",
            format="onsite", location=_at("Bad Salzuflen", "32105", "Parkstraße 12"),
            dates=("2027-04-12", "2027-05-28"), schedule="Mo–Fr 08:30–13:00",
            capacity=12, price_eur=890, funding=["bildungsgutschein", "bildungsurlaub"],
            target_groups=["working-age"],
            modules=[
                _module("BUCHEN", "Belege buchen in DATEV", 60, 4, "module-certificate",
                        ACCOUNTING_SYSTEMS, ACCOUNTING_ENTRIES, TRANSACTION_RECORDS),
                _module("ABSCHLUSS", "Vorbereitende Abschlussarbeiten", 40, 4, "module-certificate",
                        FINANCIAL_STATEMENTS),
            ],
        ),
        _course(
            "hanse-berufskolleg-lemgo:LAGER-27", "Lagerlogistik mit Staplerschein",
            "Teilqualifizierung Fachkraft für Lagerlogistik: Wareneingang, Bestandsführung im "
            "Warenwirtschaftssystem, Staplerschein nach DGUV Grundsatz 308-001.",
            format="onsite", location=_at("Lemgo", "32657", "Am Lüttfeld 12"),
            dates=("2027-05-03", "2027-06-25"), schedule="Mo–Do 07:30–13:00",
            capacity=15, price_eur=1150,
            funding=["qualifizierungschancengesetz", "bildungsgutschein"],
            target_groups=["working-age", "transition"],
            modules=[
                _module("LAGER", "Lagerprozesse und Bestandsführung", 80, 3, "module-certificate",
                        WAREHOUSE_OPERATIONS, WAREHOUSE_INVENTORY, WAREHOUSE_RECORDS),
                _module("STAPLER", "Staplerschein", 24, 2, "module-certificate", FORKLIFT),
            ],
        ),
        _course(
            "vhs-detmold-lemgo:EN-B2-27", "English for Work B2",
            "Meetings, phone calls and business e-mails, taught in English; preparation for "
            "telc English B2 Business.",
            language="en", format="online", location=None,
            dates=("2027-09-06", "2027-12-13"), schedule="Mo 18:30–20:45",
            capacity=14, price_eur=219, funding=["bildungsurlaub"], target_groups=["working-age"],
            modules=[
                _module("SPEAKING", "Speaking at work", 20, 4, "attendance", ENGLISH_SPEAKING),
                _module("WRITING", "Reading and writing business English",
                        20, 4, "module-certificate", ENGLISH_READING, ENGLISH_WRITING),
            ],
        ),
    ]
    # fmt: on
