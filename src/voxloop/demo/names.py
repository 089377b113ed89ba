"""The raw material of the demo: countries, their regions and cities, and people's names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    language: str  # the main preferred language of its customers
    timezone: str
    phone_prefix: str
    currency: str
    # region name → cities whose stores belong to it
    regions: dict[str, tuple[str, ...]]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    # other languages customers there prefer, with their share
    other_languages: tuple[tuple[str, float], ...] = ()


UK = Country(
    code="GB",
    name="United Kingdom",
    language="en",
    timezone="Europe/London",
    phone_prefix="+44 7",
    currency="GBP",
    regions={
        "London & South East": ("London", "Brighton", "Reading", "Canterbury", "Guildford"),
        "Midlands": ("Birmingham", "Nottingham", "Leicester", "Coventry", "Derby"),
        "North of England": ("Manchester", "Leeds", "Liverpool", "Newcastle", "Sheffield", "York"),
        "Scotland & Wales": ("Glasgow", "Edinburgh", "Aberdeen", "Cardiff", "Swansea"),
    },
    first_names=(
        "Oliver",
        "Amelia",
        "George",
        "Isla",
        "Harry",
        "Ava",
        "Noah",
        "Mia",
        "Jack",
        "Ivy",
        "Leo",
        "Grace",
        "Arthur",
        "Freya",
        "Oscar",
        "Lily",
        "Charlie",
        "Emily",
        "Thomas",
        "Sophie",
        "James",
        "Chloe",
        "William",
        "Ella",
        "Henry",
        "Poppy",
        "Alfie",
        "Ruby",
        "Priya",
        "Aisha",
        "Mohammed",
        "Zara",
        "Callum",
        "Niamh",
        "Rhys",
        "Ffion",
    ),
    last_names=(
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Patel",
        "Wright",
        "Robinson",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
        "Hall",
        "Wood",
        "Jackson",
        "Clarke",
        "Khan",
        "Hughes",
        "Edwards",
        "Murray",
        "Campbell",
        "Morgan",
        "Ahmed",
        "Shaw",
        "Lewis",
    ),
    other_languages=(("zh-hans", 0.06), ("ro", 0.03)),
)

ROMANIA = Country(
    code="RO",
    name="Romania",
    language="ro",
    timezone="Europe/Bucharest",
    phone_prefix="+40 7",
    currency="RON",
    regions={
        "București-Ilfov": ("București", "Voluntari", "Otopeni"),
        "Transilvania": ("Cluj-Napoca", "Brașov", "Sibiu", "Târgu Mureș", "Oradea"),
        "Moldova & Dobrogea": ("Iași", "Constanța", "Suceava", "Galați", "Bacău"),
    },
    first_names=(
        "Andrei",
        "Maria",
        "Alexandru",
        "Elena",
        "Mihai",
        "Ioana",
        "Ștefan",
        "Ana",
        "Gabriel",
        "Andreea",
        "Cristian",
        "Alexandra",
        "Bogdan",
        "Diana",
        "Ionuț",
        "Raluca",
        "Vlad",
        "Bianca",
        "Radu",
        "Cristina",
        "Florin",
        "Larisa",
        "Tudor",
        "Irina",
    ),
    last_names=(
        "Popescu",
        "Ionescu",
        "Popa",
        "Dumitru",
        "Stan",
        "Stoica",
        "Gheorghe",
        "Matei",
        "Ciobanu",
        "Rusu",
        "Munteanu",
        "Constantin",
        "Marin",
        "Moldovan",
        "Lazăr",
        "Florea",
        "Tudor",
        "Dobre",
        "Barbu",
        "Nistor",
    ),
    other_languages=(("en", 0.12),),
)

JAPAN = Country(
    code="JP",
    name="Japan",
    language="ja",
    timezone="Asia/Tokyo",
    phone_prefix="+81 90",
    currency="JPY",
    regions={
        "Kantō": ("Tokyo", "Yokohama", "Saitama", "Chiba", "Kawasaki"),
        "Kansai": ("Osaka", "Kyoto", "Kobe", "Nara"),
        "Kyūshū & Chūbu": ("Fukuoka", "Nagoya", "Kumamoto", "Shizuoka"),
    },
    first_names=(
        "Haruto",
        "Yui",
        "Sota",
        "Hina",
        "Yuto",
        "Aoi",
        "Riku",
        "Mei",
        "Ren",
        "Sakura",
        "Kaito",
        "Yuna",
        "Takumi",
        "Rin",
        "Hayato",
        "Mio",
        "Daiki",
        "Akari",
        "Kenta",
        "Nanami",
    ),
    last_names=(
        "Sato",
        "Suzuki",
        "Takahashi",
        "Tanaka",
        "Watanabe",
        "Ito",
        "Yamamoto",
        "Nakamura",
        "Kobayashi",
        "Kato",
        "Yoshida",
        "Yamada",
        "Sasaki",
        "Yamaguchi",
        "Matsumoto",
        "Inoue",
        "Kimura",
        "Hayashi",
    ),
    other_languages=(("en", 0.05), ("zh-hans", 0.05)),
)

COUNTRIES = (UK, ROMANIA, JAPAN)

CHINESE_FIRST = ("Wei", "Fang", "Jing", "Lei", "Min", "Xin", "Yan", "Hao", "Li", "Jun", "Mei")
CHINESE_LAST = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou")

# Where a store sits in its city: makes names like "Leeds Trinity" or "Kyoto Station".
STORE_SITES = (
    "Central",
    "High Street",
    "Station",
    "Retail Park",
    "Mall",
    "Riverside",
    "Old Town",
    "Market Square",
    "Airport",
    "North",
    "South",
    "East",
    "West",
    "Harbour",
    "Park",
)

SUPPORT_TEAMS = (
    ("T-ENT", "Enterprise Success"),
    ("T-MM", "Mid-Market Support"),
    ("T-SMB", "Small Business Support"),
    ("T-TECH", "Technical Support"),
)

ACCOUNT_MANAGERS = (
    # username, first, last, team code
    ("accountmgr", "Hannah", "Fletcher", "T-ENT"),
    ("am.ionescu", "Radu", "Ionescu", "T-ENT"),
    ("am.kimura", "Emi", "Kimura", "T-MM"),
    ("am.osei", "Kwame", "Osei", "T-MM"),
    ("am.novak", "Petra", "Novak", "T-SMB"),
)

COMPANY_WORDS = (
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
    "Umbra",
    "Vertex",
    "Willow",
    "Zenith",
    "Aurora",
    "Sakura",
    "Carpathia",
    "Danube",
    "Thames",
    "Fuji",
)
COMPANY_SUFFIXES = (
    "Logistics",
    "Foods",
    "Health",
    "Systems",
    "Hotels",
    "Retail",
    "Energy",
    "Labs",
    "Manufacturing",
    "Finance",
    "Telecom",
    "Media",
    "Pharma",
    "Motors",
)
INDUSTRIES = (
    "retail",
    "hospitality",
    "healthcare",
    "manufacturing",
    "financial services",
    "logistics",
    "technology",
    "public sector",
    "telecommunications",
    "energy",
)
ARR_BANDS = ("<50k", "50k-250k", "250k-1M", ">1M")

SEGMENTS = ("new", "occasional", "regular", "loyal", "vip")
PRODUCTS = (
    "groceries",
    "home",
    "electronics",
    "fashion",
    "beauty",
    "garden",
    "toys",
    "pharmacy",
    "click_and_collect",
    "loyalty_card",
    "home_delivery",
)
SPEND_BANDS = ("low", "medium", "high", "top")
