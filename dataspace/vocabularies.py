"""The controlled vocabularies the DCAT-AP catalog maps the market's own words to: EU data themes, EU frequencies, EU
file types and IANA media types. Pure Python; each mapping is one function with its test (docs/dataspace.md).

The EU vocabularies (Publications Office authority tables) are referenced by IRI. A harvester that validates with
DCAT-AP's controlled-vocabulary shapes needs each concept's ``skos:inScheme`` and a ``skos:prefLabel`` (every
``skos:Concept``), so the catalog states both for the concepts it uses, with their English labels as the tables
give them: the catalog validates without fetching the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME = f"{EU_AUTHORITY}data-theme"
FREQUENCY = f"{EU_AUTHORITY}frequency"
FILE_TYPE = f"{EU_AUTHORITY}file-type"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/1.0"
LICENCE_TYPE = "http://purl.org/adms/licencetype/1.0"
SCHEME_TITLES = {
    DATA_THEME: "Data theme",
    FREQUENCY: "Frequency",
    FILE_TYPE: "File type",
    PUBLISHER_TYPE: "Publisher type",
    LICENCE_TYPE: "Licence type",
    f"{EU_AUTHORITY}language": "Language",
    f"{EU_AUTHORITY}access-right": "Access right",
    f"{EU_AUTHORITY}planned-availability": "Planned availability",
}


@dataclass(frozen=True)
class Concept:
    """A concept of a controlled vocabulary: its IRI, its scheme's IRI and its English label."""

    iri: str
    scheme: str
    label: str

    @property
    def scheme_title(self) -> str:
        return SCHEME_TITLES.get(self.scheme, self.scheme.rsplit("/", 1)[-1])


def _theme(code: str, label: str) -> Concept:
    return Concept(f"{DATA_THEME}/{code}", DATA_THEME, label)


AGRICULTURE = _theme("AGRI", "Agriculture, fisheries, forestry and food")
ECONOMY = _theme("ECON", "Economy and finance")
ENERGY = _theme("ENER", "Energy")
ENVIRONMENT = _theme("ENVI", "Environment")
HEALTH = _theme("HEAL", "Health")
REGIONS = _theme("REGI", "Regions and cities")
SCIENCE = _theme("TECH", "Science and technology")
TRANSPORT = _theme("TRAN", "Transport")

# The catalog's categories (catalog.models.Category) as EU data themes; "other" has none.
_THEMES: dict[str, tuple[Concept, ...]] = {
    "infrastructure": (REGIONS, TRANSPORT),
    "manufacturing": (ECONOMY, SCIENCE),
    "weather": (ENVIRONMENT,),
    "mobility": (TRANSPORT,),
    "retail": (ECONOMY,),
    "energy": (ENERGY,),
    "agriculture": (AGRICULTURE,),
    "healthcare": (HEALTH,),
    "other": (),
}


def themes(category: str) -> tuple[Concept, ...]:
    """The EU data themes of a catalog category (none for "other" or a category this table does not know)."""
    return _THEMES.get(category, ())


def _frequency(code: str, label: str) -> Concept:
    return Concept(f"{FREQUENCY}/{code}", FREQUENCY, label)


CONTINUOUS = _frequency("UPDATE_CONT", "continuously updated")
HOURLY = _frequency("HOURLY", "hourly")
DAILY = _frequency("DAILY", "daily")
WEEKLY = _frequency("WEEKLY", "weekly")
MONTHLY = _frequency("MONTHLY", "monthly")
QUARTERLY = _frequency("QUARTERLY", "quarterly")
ANNUAL = _frequency("ANNUAL", "annual")
IRREGULAR = _frequency("IRREG", "irregular")
NEVER = _frequency("NEVER", "never")

_DECLARED: dict[str, Concept] = {
    "realtime": CONTINUOUS,
    "hourly": HOURLY,
    "daily": DAILY,
    "weekly": WEEKLY,
    "monthly": MONTHLY,
    "quarterly": QUARTERLY,
    "yearly": ANNUAL,
    "irregular": IRREGULAR,
    "once": NEVER,
}
# A subscription period (days) as the frequency its delivery commitment guarantees at least: one new version per
# period (catalog.selectors.new_versions).
_BY_PERIOD: tuple[tuple[int, Concept], ...] = ((1, DAILY), (7, WEEKLY), (31, MONTHLY), (92, QUARTERLY), (366, ANNUAL))


def accrual_periodicity(
    *, update_frequency: str, subscription_period_days: tuple[int, ...] = (), streamed: bool = False
) -> Concept | None:
    """How often the dataset gains data, as an EU frequency.

    A live stream (an open subscription offering with ``stream``) is continuously updated. Otherwise the seller's
    declared update frequency, unless it says nothing regular ("once", "irregular") while the dataset is sold by
    subscription: then the shortest open subscription period, which the offering commits to deliver a new version
    in, gives the frequency (a period longer than a year: irregular). None for a frequency this table does not know.
    """
    if streamed:
        return CONTINUOUS
    if update_frequency in ("once", "irregular") and subscription_period_days:
        shortest = min(subscription_period_days)
        return next((concept for days, concept in _BY_PERIOD if shortest <= days), IRREGULAR)
    return _DECLARED.get(update_frequency)


@dataclass(frozen=True)
class FileFormat:
    """A stored file format as DCAT-AP describes it: an EU file type (``dct:format``) and, where IANA registered
    one, its media type (``dcat:mediaType``); ``encoding`` is what schema.org's ``encodingFormat`` says."""

    file_type: Concept
    media_type: str | None
    encoding: str


_FORMATS: dict[str, FileFormat] = {
    "csv": FileFormat(Concept(f"{FILE_TYPE}/CSV", FILE_TYPE, "CSV"), f"{IANA_MEDIA_TYPES}text/csv", "text/csv"),
    # JSON Lines has no IANA media type and no EU file type of its own: the closest EU file type is JSON (each line
    # is a JSON text); no dcat:mediaType is stated rather than an unregistered one.
    "jsonl": FileFormat(Concept(f"{FILE_TYPE}/JSON", FILE_TYPE, "JSON"), None, "application/jsonl"),
    "parquet": FileFormat(
        Concept(f"{FILE_TYPE}/PARQUET", FILE_TYPE, "Parquet"),
        f"{IANA_MEDIA_TYPES}application/vnd.apache.parquet",
        "application/vnd.apache.parquet",
    ),
}


def file_format(code: str) -> FileFormat | None:
    return _FORMATS.get(code)


COMPANY = Concept("http://purl.org/adms/publishertype/Company", PUBLISHER_TYPE, "Company")
# Every licence the market sells is paid for.
ROYALTIES_REQUIRED = Concept("http://purl.org/adms/licencetype/RoyaltiesRequired", LICENCE_TYPE, "Royalties Required")
