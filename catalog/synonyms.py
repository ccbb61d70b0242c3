"""The search's synonym table: Japanese and English words that mean the same place or thing
(docs/adr/0020-a-query-word-also-matches-its-synonyms-below-itself.md).

A buyer typing "Tokyo" means the datasets tagged 東京 too, and one typing 橋梁 those described as a bridge. Each group
below is one meaning: a query word (or phrase) equal to one of its members, after ``catalog.search.normalize`` (NFKC,
lower case), also matches a dataset holding any other member; a dataset holding the word as typed ranks above one
that holds only a synonym (``catalog.ranking``). The table is applied to the query, never to the stored tokens, so a
change here takes effect without reindexing anything.

How to add a group: one tuple per meaning, Japanese first, then English. A member is a word or a phrase as a buyer
types it: English in the singular as datasets are usually titled (there is no stemming: "bridges" is another word),
Japanese as one run without spaces (a query word matches a member only whole: 東京 does, 東京駅 does not). A member
of several words ("foot traffic") matches those words typed in a row. Keep a member out of a group if it means more
than the group (交通 is traffic, not "transport" in general), and a single kanji only where it is itself the word (橋).
``catalog/tests/test_synonyms.py`` checks the table's shape.
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    # Regions, prefectures and cities.
    ("東京", "tokyo"),
    ("大阪", "osaka"),
    ("京都", "kyoto"),
    ("関西", "近畿", "kansai", "kinki"),
    ("関東", "kanto"),
    ("東北", "tohoku"),
    ("九州", "kyushu"),
    ("四国", "shikoku"),
    ("中部", "chubu"),
    ("北海道", "hokkaido"),
    ("沖縄", "okinawa"),
    ("札幌", "sapporo"),
    ("仙台", "sendai"),
    ("名古屋", "nagoya"),
    ("横浜", "yokohama"),
    ("神戸", "kobe"),
    ("福岡", "fukuoka"),
    ("広島", "hiroshima"),
    ("千葉", "chiba"),
    ("埼玉", "saitama"),
    ("神奈川", "kanagawa"),
    ("愛知", "aichi"),
    ("兵庫", "hyogo"),
    ("静岡", "shizuoka"),
    ("新潟", "niigata"),
    ("岡崎", "okazaki"),
    ("淀川", "yodogawa"),
    # Infrastructure and structural health.
    ("橋梁", "橋", "bridge"),
    ("道路", "road"),
    ("トンネル", "tunnel"),
    ("河川", "river"),
    ("水位", "water level"),
    ("ひずみ", "歪み", "strain"),
    ("張力", "tension"),
    ("振動", "vibration"),
    ("加速度", "acceleration"),
    ("地震", "earthquake"),
    # Weather and environment.
    ("気象", "天気", "weather"),
    ("気温", "温度", "temperature"),
    ("湿度", "humidity"),
    ("降水", "降水量", "precipitation", "rainfall"),
    ("風速", "wind speed"),
    ("騒音", "noise"),
    ("大気汚染", "air pollution"),
    # Mobility and people flow.
    ("交通", "traffic"),
    ("人流", "foot traffic", "people flow", "footfall"),
    ("渋滞", "congestion"),
    ("鉄道", "railway"),
    ("駐車場", "parking"),
    ("車両", "vehicle"),
    ("観光", "tourism"),
    ("人口", "population"),
    # Manufacturing, energy, retail, agriculture, health.
    ("工場", "factory"),
    ("製造", "manufacturing"),
    ("予知保全", "predictive maintenance"),
    ("設備", "equipment"),
    ("センサー", "センサ", "sensor"),
    ("電力", "electricity"),
    ("太陽光", "solar"),
    ("エネルギー", "energy"),
    ("購買", "purchase"),
    ("小売", "retail"),
    ("物流", "logistics"),
    ("農業", "agriculture"),
    ("医療", "healthcare"),
)
