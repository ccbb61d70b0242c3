"""The legal content of the METI data-provision template and of the market rules: complete, consistent, renderable."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contracts.meti import data_provision as dp
from contracts.meti.data_provision import CLAUSES, TERM_HELP, TERM_LABELS, VALUE_LABELS, Clause
from contracts.meti.data_provision_terms import DEFAULTS, TERMS_SCHEMA, WARRANTY_ITEMS
from contracts.meti.platform_rules import PLATFORM_RULES, PLATFORM_RULES_VERSION

LANGS: tuple[dp.Lang, ...] = ("ja", "en")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

# The context keys the document renderer provides (contracts.documents.clause_context; checked against it in
# test_documents.py, so the two cannot drift apart).
ALLOWED_PLACEHOLDERS = dp.CONTEXT_KEYS

REQUIRED_ORDER = (
    "definitions",
    "delivery",
    "license",
    "fees",
    "subscription",
    "live_stream",
    "warranties",
    "liability",
    "data_management",
    "incident",
    "confidentiality",
    "derived_data",
    "personal_information",
    "anonymized_notice",
    "reidentification_ban",
    "term_termination",
    "deletion",
    "survival",
    "governing_law_forum",
)

TERMS = set(TERMS_SCHEMA["properties"])


def by_code(code: str) -> Clause:
    return next(c for c in CLAUSES if c.code == code)


def schema_enums() -> dict[str, set[str]]:
    """The VALUE_LABELS key and the values each enum of the schema calls for."""
    found: dict[str, set[str]] = {}
    for name, spec in TERMS_SCHEMA["properties"].items():
        if "enum" in spec:
            found[name] = set(spec["enum"])
        properties = spec.get("properties", {})
        if name == "warranties":
            found["warranty_item"] = set(properties)
            for item in properties.values():
                found.setdefault("warranty_level", set()).update(item["enum"])
            continue
        for sub, sub_spec in properties.items():
            if "enum" in sub_spec:
                found[f"{name}.{sub}"] = set(sub_spec["enum"])
    return found


def sentinel_context() -> dict[str, str]:
    return {key: f"<<{key}>>" for key in ALLOWED_PLACEHOLDERS}


def realistic_context(lang: dp.Lang) -> dict[str, str]:
    """A context built from the defaults the way a renderer would."""
    sep = "、" if lang == "ja" else ", "
    warranties = "\n".join(
        f"- {VALUE_LABELS['warranty_item'][item][lang]}: {VALUE_LABELS['warranty_level'][level][lang]}"
        for item, level in DEFAULTS["warranties"].items()
    )
    return {
        "dataset_title": "Bridge vibration 2024",
        "dataset_version": "3",
        "data_items": sep.join(["sensor_id", "timestamp", "acceleration"]),
        "file_format": "CSV",
        "row_count": "12,345",
        "sha256": "a" * 64,
        "time_period": "2024-01-01 – 2024-12-31",
        "delivery_channel": dp.DELIVERY_CHANNEL_LABELS["market"][lang],
        "license_type_label": VALUE_LABELS["license_type"][DEFAULTS["license_type"]][lang],
        "purpose": DEFAULTS["purpose"],
        "processing_label": VALUE_LABELS["processing"][DEFAULTS["processing"]][lang],
        "sublicense_label": VALUE_LABELS["sublicense"][DEFAULTS["sublicense"]][lang],
        "third_party_provision_label": VALUE_LABELS["third_party_provision"][DEFAULTS["third_party_provision"]][lang],
        "territory_label": sep.join(DEFAULTS["territory"]),
        "price": "¥50,000",
        "quantity": "2",
        "total": "¥100,000",
        "currency": "JPY",
        "warranties_list": warranties,
        "liability_cap_label": VALUE_LABELS["liability_cap.basis"][DEFAULTS["liability_cap"]["basis"]][lang],
        "confidentiality_years": str(DEFAULTS["confidentiality_years"]),
        "derived_rights_label": VALUE_LABELS["derived_data.rights"][DEFAULTS["derived_data"]["rights"]][lang],
        "derived_access_label": VALUE_LABELS["derived_data.provider_access"][
            DEFAULTS["derived_data"]["provider_access"]
        ][lang],
        "personal_info_items": sep.join(["age band", "prefecture"]),
        "anonymization_method": "age generalised to 10-year bands; k=5",
        "duration_days": str(DEFAULTS["duration_days"]),
        "valid_from": "2025-01-01",
        "valid_until": "2026-01-01",
        "end_of_term_label": VALUE_LABELS["end_of_term"][DEFAULTS["end_of_term"]][lang],
        "governing_law_label": dp.governing_law_label(DEFAULTS["governing_law"], lang),
        "forum": DEFAULTS["forum"],
        "seller_name": "Acme Sensors K.K.",
        "buyer_name": "Buyer Analytics Inc.",
        "period_days": "30",
        "term_periods": "12",
        "delivery_commitment": "\n".join(
            dp.COMMITMENT_LABELS[line][lang].format(count=count)
            for line, count in (("versions", "4"), ("messages", "1,000"))
        ),
        "grace_days": "7",
        "stream_topic": "feeds/6f1c7a9e-0000-4000-8000-000000000003/#",
    }


# --- structure ------------------------------------------------------------------------------------------


def test_template_identity() -> None:
    assert dp.TEMPLATE_CODE == "meti-data-provision"
    assert dp.TEMPLATE_VERSION == 1
    assert dp.CONTRACT_TYPE == "data_provision"
    assert dp.TITLE["ja"].startswith("データ提供契約") and dp.TITLE["en"].startswith("Data Provision Agreement")


def test_every_clause_has_title_and_text_in_both_languages() -> None:
    assert CLAUSES
    for clause in CLAUSES:
        assert set(clause.title) == set(LANGS), clause.code
        assert set(clause.text) == set(LANGS), clause.code
        for lang in LANGS:
            assert clause.title[lang].strip(), (clause.code, lang)
            assert clause.text[lang].strip(), (clause.code, lang)


def test_numbers_run_from_one_in_order() -> None:
    assert [c.number for c in CLAUSES] == list(range(1, len(CLAUSES) + 1))


def test_codes_are_unique_snake_case_and_in_the_required_order() -> None:
    codes = [c.code for c in CLAUSES]
    assert len(codes) == len(set(codes))
    assert all(SNAKE.match(code) for code in codes), codes
    assert [code for code in codes if code in REQUIRED_ORDER] == list(REQUIRED_ORDER)
    assert dict(dp.CLAUSES_BY_CODE) == {c.code: c for c in CLAUSES}


def test_titles_are_unique_per_language() -> None:
    for lang in LANGS:
        titles = [c.title[lang] for c in CLAUSES]
        assert len(titles) == len(set(titles)), lang


def test_texts_are_plain_paragraphs() -> None:
    for clause in CLAUSES:
        for lang in LANGS:
            text = clause.text[lang]
            assert "<" not in text and ">" not in text, (clause.code, lang, "no HTML")
            assert "\n\n\n" not in text, (clause.code, lang)
            assert text == text.strip(), (clause.code, lang)
            for paragraph in text.split("\n\n"):
                assert paragraph.strip(), (clause.code, lang)
                assert all(line == line.rstrip() and line for line in paragraph.split("\n")), (clause.code, lang)


def test_japanese_texts_are_japanese_and_english_texts_are_not() -> None:
    for clause in CLAUSES:
        assert JAPANESE.search(clause.title["ja"]) and JAPANESE.search(clause.text["ja"]), clause.code
        assert not JAPANESE.search(clause.title["en"]), clause.code
        assert not JAPANESE.search(clause.text["en"]), clause.code


# --- placeholders and rendering ---------------------------------------------------------------------------


def test_placeholders_are_from_the_renderers_context() -> None:
    for clause in CLAUSES:
        for lang in LANGS:
            used = dp.placeholders(clause, lang)
            assert used <= ALLOWED_PLACEHOLDERS, (clause.code, lang, used - ALLOWED_PLACEHOLDERS)


def test_both_languages_use_the_same_placeholders() -> None:
    for clause in CLAUSES:
        assert dp.placeholders(clause, "ja") == dp.placeholders(clause, "en"), clause.code


def test_placeholders_of_the_definitions_clause() -> None:
    expected = {"dataset_title", "dataset_version", "data_items", "file_format", "row_count", "sha256", "time_period"}
    assert expected <= dp.placeholders(by_code("definitions"), "ja")
    assert dp.placeholders(by_code("license"), "en") >= {
        "license_type_label",
        "purpose",
        "processing_label",
        "sublicense_label",
        "third_party_provision_label",
        "territory_label",
    }


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("delivery", {"delivery_channel"}),
        ("fees", {"price", "quantity", "total", "currency"}),
        ("warranties", {"warranties_list"}),
        ("liability", {"liability_cap_label"}),
        ("confidentiality", {"confidentiality_years"}),
        ("derived_data", {"derived_rights_label", "derived_access_label"}),
        ("anonymized_notice", {"personal_info_items", "anonymization_method"}),
        ("term_termination", {"duration_days", "valid_from", "valid_until"}),
        (
            "subscription",
            {"period_days", "term_periods", "duration_days", "delivery_commitment", "price", "total", "grace_days"},
        ),
        ("live_stream", {"stream_topic"}),
        ("deletion", {"end_of_term_label"}),
        ("governing_law_forum", {"governing_law_label", "forum"}),
    ],
)
def test_clauses_show_their_values(code: str, names: set[str]) -> None:
    for lang in LANGS:
        assert names <= dp.placeholders(by_code(code), lang), (code, lang)


def test_every_context_key_is_used_somewhere() -> None:
    used = set().union(*(dp.placeholders(c, "ja") for c in CLAUSES))
    assert used == ALLOWED_PLACEHOLDERS, ALLOWED_PLACEHOLDERS - used


@pytest.mark.parametrize("lang", LANGS)
def test_render_fills_every_placeholder(lang: Any) -> None:
    context = sentinel_context()
    for clause in CLAUSES:
        rendered = dp.render_clause_text(clause, lang, context)
        assert "{" not in rendered and "}" not in rendered, (clause.code, lang)
        for name in dp.placeholders(clause, lang):
            assert f"<<{name}>>" in rendered, (clause.code, name)


@pytest.mark.parametrize("lang", LANGS)
def test_render_with_realistic_values(lang: Any) -> None:
    context = realistic_context(lang)
    assert set(context) == ALLOWED_PLACEHOLDERS
    rendered = {c.code: dp.render_clause_text(c, lang, context) for c in CLAUSES}
    assert all("{" not in text and "}" not in text for text in rendered.values())
    assert "a" * 64 in rendered["definitions"]
    assert context["warranties_list"] in rendered["warranties"]
    assert context["processing_label"] in rendered["license"]
    assert context["purpose"] in rendered["license"]
    assert context["delivery_commitment"] in rendered["subscription"]
    assert context["stream_topic"] in rendered["live_stream"]


def test_render_raises_key_error_naming_the_missing_placeholder() -> None:
    context = sentinel_context()
    del context["price"]
    with pytest.raises(KeyError) as excinfo:
        dp.render_clause_text(by_code("fees"), "ja", context)
    assert excinfo.value.args[0] == "price"
    # A clause that does not use the missing key still renders.
    assert "<<dataset_title>>" in dp.render_clause_text(by_code("definitions"), "en", context)


def test_render_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="Unknown language 'fr'"):
        dp.render_clause_text(by_code("fees"), "fr", sentinel_context())  # type: ignore[arg-type]


def test_rendering_does_not_reinterpret_braces_in_values() -> None:
    context = sentinel_context()
    context["purpose"] = "analyse {price} and {unknown}"
    rendered = dp.render_clause_text(by_code("license"), "en", context)
    assert "analyse {price} and {unknown}" in rendered


# --- parameters and flags ---------------------------------------------------------------------------------


def test_parameters_are_top_level_terms() -> None:
    for clause in CLAUSES:
        assert isinstance(clause.parameters, tuple), clause.code
        assert set(clause.parameters) <= TERMS, (clause.code, set(clause.parameters) - TERMS)


def test_every_term_is_covered_by_a_clause() -> None:
    covered = {p for c in CLAUSES for p in c.parameters}
    assert covered == TERMS, TERMS - covered


def test_licence_clause_parameters() -> None:
    license_clause = by_code("license")
    assert set(license_clause.parameters) == {
        "purpose",
        "processing",
        "license_type",
        "sublicense",
        "third_party_provision",
        "territory",
    }
    assert license_clause.negotiable


def test_negotiable_flags() -> None:
    for code in ("license", "warranties", "liability", "confidentiality", "derived_data"):
        assert by_code(code).negotiable, code
    for code in ("data_management", "anonymized_notice", "reidentification_ban", "personal_information"):
        assert not by_code(code).negotiable, code
    for clause in CLAUSES:
        if not clause.parameters:
            assert not clause.negotiable, f"{clause.code}: nothing for the seller to change"


def test_anonymized_only_clauses() -> None:
    limited = {c.code for c in CLAUSES if c.applies_to is not None}
    assert limited == {"anonymized_notice", "reidentification_ban"}
    for code in limited:
        clause = by_code(code)
        assert clause.applies_to == frozenset({"anonymized"})
        assert not clause.negotiable and clause.parameters == ()
    assert by_code("reidentification_ban").survives
    assert by_code("personal_information").applies_to is None


SUBSCRIPTION = {"period_days": 30, "term_periods": 12, "min_versions_per_period": 1, "stream": False}


def test_applicable_clauses_per_data_class() -> None:
    iot = [c.code for c in dp.applicable_clauses("iot")]
    anonymized = [c.code for c in dp.applicable_clauses("anonymized")]
    licence = [c.code for c in CLAUSES if c.when is None]
    assert anonymized == licence
    assert iot == [code for code in licence if code not in ("anonymized_notice", "reidentification_ban")]
    assert [c.code for c in dp.applicable_clauses("iot", DEFAULTS)] == iot, "a licence's terms add nothing"
    with pytest.raises(ValueError, match="Unknown data class 'personal'"):
        dp.applicable_clauses("personal")


def test_subscription_clauses_only_in_subscriptions_and_the_stream_only_with_one() -> None:
    conditional = {c.code: c.when for c in CLAUSES if c.when is not None}
    assert conditional == {"subscription": "subscription", "live_stream": "stream"}
    assert set(conditional.values()) == set(dp.TERMS_CONDITIONS)
    plain = {**DEFAULTS, "subscription": SUBSCRIPTION}
    streamed = {**DEFAULTS, "subscription": {**SUBSCRIPTION, "stream": True}}
    for data_class in dp.DATA_CLASSES:
        licence = [c.code for c in dp.applicable_clauses(data_class, DEFAULTS)]
        subscription = [c.code for c in dp.applicable_clauses(data_class, plain)]
        stream = [c.code for c in dp.applicable_clauses(data_class, streamed)]
        assert subscription == [code for code in stream if code != "live_stream"]
        assert licence == [code for code in subscription if code != "subscription"]
        assert stream.index("subscription") == stream.index("fees") + 1, "right after the fees it prices per period"
        assert stream.index("live_stream") == stream.index("subscription") + 1
    assert by_code("subscription").parameters == ("subscription",) and by_code("subscription").negotiable
    assert by_code("live_stream").parameters == () and not by_code("live_stream").negotiable


def test_survival_clause_lists_exactly_the_surviving_clauses() -> None:
    survival = by_code("survival")
    titles = {c.title["ja"]: c.code for c in CLAUSES}
    listed = {titles[t] for t in re.findall(r"「([^」]+)」の条", survival.text["ja"])}
    en_titles = {c.title["en"]: c.code for c in CLAUSES}
    listed_en = {en_titles[t] for t in re.findall(r'Article "([^"]+)"', survival.text["en"])}
    assert listed == listed_en
    surviving = {c.code for c in CLAUSES if c.survives}
    assert listed | {"survival"} == surviving
    assert {"confidentiality", "derived_data", "reidentification_ban", "liability", "governing_law_forum"} <= surviving


# --- cross-references -------------------------------------------------------------------------------------


def test_cross_references_name_existing_clauses() -> None:
    ja_titles = {c.title["ja"] for c in CLAUSES}
    en_titles = {c.title["en"] for c in CLAUSES}
    ja_refs = {ref for c in CLAUSES for ref in re.findall(r"「([^」]+)」の条", c.text["ja"])}
    en_refs = {ref for c in CLAUSES for ref in re.findall(r'Article "([^"]+)"', c.text["en"])}
    assert ja_refs and en_refs
    assert ja_refs <= ja_titles, ja_refs - ja_titles
    assert en_refs <= en_titles, en_refs - en_titles
    assert {t for t in ja_titles if t in ja_refs} == ja_refs


def test_no_cross_reference_by_article_number() -> None:
    # The renderer numbers only the clauses it shows (IoT contracts lack two), so numbers would go stale.
    for clause in CLAUSES:
        ja = re.sub(r"(?:個人情報保護法|民法)第\d+条(?:の\d+)?(?:第\d+項)?(?:又は第\d+条)?", "", clause.text["ja"])
        assert not re.search(r"第\d+条", ja), clause.code
        en = re.sub(
            r"Articles? [0-9()\-]+(?: (?:or|and) (?:Article )?[0-9()\-]+)* of the (?:APPI|Civil Code)",
            "",
            clause.text["en"],
        )
        assert not re.search(r"\bArticle \d", en), clause.code


def test_clauses_of_every_contract_mention_anonymized_only_clauses_only_for_anonymized_data() -> None:
    # An IoT contract lacks those clauses, so a reference to them must be conditional on anonymised data.
    limited = [c for c in CLAUSES if c.applies_to is not None]
    for clause in dp.applicable_clauses("iot"):
        for lang, marker in (("ja", "匿名加工情報"), ("en", "Anonymously Processed Information")):
            for line in clause.text[lang].split("\n"):
                refs = [c for c in limited if c.title[lang] in line]
                stripped = line
                for ref in refs:
                    stripped = stripped.replace(ref.title[lang], "")
                if refs:
                    assert marker in stripped, (clause.code, lang, line)


# --- labels and help --------------------------------------------------------------------------------------


def test_value_labels_cover_every_enum_value_in_both_languages() -> None:
    enums = schema_enums()
    expected_keys = {
        "processing",
        "license_type",
        "third_party_provision",
        "sublicense",
        "derived_data.rights",
        "derived_data.provider_access",
        "warranty_level",
        "warranty_item",
        "liability_cap.basis",
        "end_of_term",
    }
    assert expected_keys <= set(enums)
    assert enums["warranty_item"] == set(WARRANTY_ITEMS)
    for key, values in enums.items():
        assert key in VALUE_LABELS, key
        assert set(VALUE_LABELS[key]) == values, (key, set(VALUE_LABELS[key]) ^ values)
        for value in values:
            labels = VALUE_LABELS[key][value]
            assert labels["ja"].strip() and labels["en"].strip(), (key, value)
            assert JAPANESE.search(labels["ja"]), (key, value)
            assert not JAPANESE.search(labels["en"]), (key, value)
    assert set(VALUE_LABELS) == set(enums), set(VALUE_LABELS) - set(enums)


def test_labels_of_one_term_are_distinct() -> None:
    for key, values in VALUE_LABELS.items():
        for lang in LANGS:
            labels = [v[lang] for v in values.values()]
            assert len(labels) == len(set(labels)), (key, lang)


@pytest.mark.parametrize(
    ("key", "clause_code"),
    [
        ("processing", "license"),
        ("license_type", "license"),
        ("third_party_provision", "license"),
        ("sublicense", "license"),
        ("warranty_item", "warranties"),
        ("warranty_level", "warranties"),
        ("liability_cap.basis", "liability"),
        ("derived_data.rights", "derived_data"),
        ("derived_data.provider_access", "derived_data"),
        ("end_of_term", "deletion"),
    ],
)
def test_clause_explains_every_label_it_can_show(key: str, clause_code: str) -> None:
    clause = by_code(clause_code)
    for value, labels in VALUE_LABELS[key].items():
        assert f"「{labels['ja']}」" in clause.text["ja"], (key, value, labels["ja"])
        assert f'"{labels["en"]}"' in clause.text["en"], (key, value, labels["en"])


def test_term_labels_and_help_cover_every_term_in_both_languages() -> None:
    assert set(TERM_LABELS) == TERMS
    assert set(TERM_HELP) == TERMS
    for term in TERMS:
        for mapping in (TERM_LABELS, TERM_HELP):
            assert mapping[term]["ja"].strip() and mapping[term]["en"].strip(), term
            assert JAPANESE.search(mapping[term]["ja"]), term
            assert not JAPANESE.search(mapping[term]["en"]), term


def test_term_help_is_short_and_states_the_default() -> None:
    for term, help_text in TERM_HELP.items():
        ja_sentences = help_text["ja"].count("。")
        en_sentences = len(re.findall(r"[.!?](?:\s|$)", help_text["en"]))
        assert 1 <= ja_sentences <= 3, (term, ja_sentences)
        assert 1 <= en_sentences <= 3, (term, en_sentences)
        assert "標準" in help_text["ja"], term
        assert "default" in help_text["en"].lower(), term
    assert "争い" in TERM_HELP["derived_data"]["ja"] and "disputed" in TERM_HELP["derived_data"]["en"]


def test_auxiliary_labels() -> None:
    assert set(dp.SUBTERM_LABELS) == {
        f"{name}.{sub}"
        for name, spec in TERMS_SCHEMA["properties"].items()
        if name != "warranties"
        for sub in spec.get("properties", {})
    }
    assert "market" in dp.DELIVERY_CHANNEL_LABELS
    assert dp.governing_law_label("JP", "ja") == "日本法"
    assert dp.governing_law_label("jp", "en") == "the laws of Japan"
    assert "DE" in dp.governing_law_label("DE", "en")


# --- substance --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "ja", "en"),
    [
        ("delivery", "有効期限付きのダウンロード用トークン", "time-limited download tokens"),
        ("delivery", "30日前まで", "30 days in advance"),
        ("license", "本目的以外の目的で利用してはならない", "shall not use the Data for any purpose other than"),
        ("license", "いかなる権利（知的財産権を含む。）も利用者に移転するものではない", "does not transfer"),
        ("fees", "運営者は、本契約の当事者ではなく", "The Operator is not a party"),
        ("warranties", "コンピュータウイルス、マルウェア", "malware"),
        ("liability", "故意又は重大な過失", "intent or gross negligence"),
        ("data_management", "監査", "audit"),
        ("data_management", "区別して管理", "segregated"),
        ("incident", "72時間以内", "72 hours"),
        ("confidentiality", "{confidentiality_years}年間", "{confidentiality_years} years"),
        ("derived_data", "本データを復元することができない派生データ", "cannot be restored"),
        ("personal_information", "個人情報が含まれていないことを保証する", "contains no personal information"),
        ("anonymized_notice", "匿名加工情報であることを明示する", "notifies the Recipient explicitly"),
        ("anonymized_notice", "個人に関する情報の項目", "Items of information relating to individuals"),
        ("reidentification_ban", "他の情報と照合すること", "collate the Data with other information"),
        ("reidentification_ban", "加工の方法に関する情報を取得すること", "information on the processing method"),
        ("reidentification_ban", "直ちに本契約を解除することができる", "terminate this Agreement immediately"),
        ("term_termination", "破産手続開始", "bankruptcy"),
        ("deletion", "30日以内", "within 30 days"),
        ("deletion", "削除証明書", "certificate of deletion"),
        ("governing_law_forum", "日本語の本文が優先する", "the Japanese text prevails"),
        # a subscription: what a period is, what is delivered, billed, missed, declined, cancelled
        ("subscription", "{period_days}日間の期間", "{term_periods} periods of {period_days} days each"),
        ("subscription", "新たなバージョン", "every new version of the dataset"),
        ("subscription", "SHA-256ハッシュ値", "SHA-256 hash differs"),
        ("subscription", "1席1提供期間当たり{price}", "{price} per seat per Period"),
        ("subscription", "最初の提供期間の対価は", "The fees for the first Period are paid when the trade"),
        ("subscription", "後払い", "paid in arrears"),
        ("subscription", "利用者の個別の操作を要することなく", "without any action by the Recipient"),
        ("subscription", "対価は請求されず", "no fees are charged for that Period"),
        ("subscription", "不履行として記録", "recorded on the Market as missed"),
        ("subscription", "両当事者に通知", "notifies both parties"),
        ("subscription", "支払遅延", "past due"),
        ("subscription", "新たなバージョンが提供されない", "no new versions are provided"),
        ("subscription", "{grace_days}日を経過", "{grace_days} days after the charge was first declined"),
        ("subscription", "いつでも定期提供を解約", "cancel the subscription on the Market at any time"),
        ("subscription", "その後の提供期間の対価は請求されない", "no later Period is charged"),
        (
            "subscription",
            "当該提供期間の対価は、第4項から第6項までの定めに従い請求され",
            "That Period is charged as paragraphs 4",
        ),
        ("subscription", "解約した時点の提供期間の末日まで", "until the end of the Period in which it cancels"),
        ("subscription", "本条の定めが優先する", "this Article prevails"),
        ("live_stream", "MQTTブローカー", "MQTT broker"),
        ("live_stream", "読取専用の認証情報", "read-only credentials"),
        ("live_stream", "支払遅延の状態にある間", "while the Recipient is past due"),
        ("live_stream", "利用権が取り消された", "entitlement on the Market is revoked"),
    ],
)
def test_clause_substance(code: str, ja: str, en: str) -> None:
    clause = by_code(code)
    assert ja in clause.text["ja"], (code, ja)
    assert en in clause.text["en"], (code, en)


# --- platform rules ---------------------------------------------------------------------------------------

REQUIRED_SECTIONS = (
    "purpose_scope",
    "neutrality",
    "platform_fee",
    "participants",
    "listings",
    "listable_data",
    "trade_records",
    "data_and_market_information",
    "disputes",
    "changes",
    "governing_law",
)


def section(code: str) -> Any:
    return next(s for s in PLATFORM_RULES if s.code == code)


def test_platform_rules_are_complete_in_both_languages() -> None:
    assert isinstance(PLATFORM_RULES_VERSION, int) and PLATFORM_RULES_VERSION >= 1
    codes = [s.code for s in PLATFORM_RULES]
    assert len(codes) == len(set(codes))
    assert all(SNAKE.match(code) for code in codes)
    assert set(REQUIRED_SECTIONS) <= set(codes), set(REQUIRED_SECTIONS) - set(codes)
    assert codes[0] == "purpose_scope" and codes[-1] == "governing_law"
    for rule in PLATFORM_RULES:
        assert set(rule.title) == set(LANGS) and set(rule.text) == set(LANGS), rule.code
        for lang in LANGS:
            assert rule.title[lang].strip() and rule.text[lang].strip(), (rule.code, lang)
            assert "{" not in rule.text[lang] and "}" not in rule.text[lang], (rule.code, lang, "no placeholders")
            assert "<" not in rule.text[lang], (rule.code, lang)
        assert JAPANESE.search(rule.title["ja"]) and JAPANESE.search(rule.text["ja"]), rule.code
        assert not JAPANESE.search(rule.title["en"]) and not JAPANESE.search(rule.text["en"]), rule.code


def test_platform_rules_cross_references_name_existing_sections() -> None:
    ja_titles = {s.title["ja"] for s in PLATFORM_RULES}
    en_titles = {s.title["en"] for s in PLATFORM_RULES}
    ja_refs = {r for s in PLATFORM_RULES for r in re.findall(r"「([^」]+)」(?:に定める|により)", s.text["ja"])}
    en_refs = {r for s in PLATFORM_RULES for r in re.findall(r'section "([^"]+)"', s.text["en"])}
    assert ja_refs and en_refs
    assert ja_refs <= ja_titles, ja_refs - ja_titles
    assert en_refs <= en_titles, en_refs - en_titles


@pytest.mark.parametrize(
    ("code", "ja", "en"),
    [
        ("neutrality", "自己の計算においてデータの取引を行わない", "never trades data on its own account"),
        ("neutrality", "データの価格を設定せず", "sets no prices"),
        ("neutrality", "データ契約の当事者とならない", "never a party to a data contract"),
        ("platform_fee", "本マーケット上に公表され", "published on the Market"),
        ("platform_fee", "提供者に引き渡す額から控除する", "deducted from the amount passed on to the provider"),
        ("participants", "運営者による確認を完了した参加者に限り", "verification by the Operator is complete"),
        ("listings", "いつでも", "at any time"),
        ("listings", "それ以前に成立したデータ契約に影響を及ぼさない", "does not affect data contracts concluded"),
        ("listable_data", "情報銀行", "information banks"),
        ("listable_data", "k-匿名性", "k-anonymity"),
        ("trade_records", "利用履歴", "usage history"),
        ("data_and_market_information", "データの内容を閲覧せず", "does not view, analyse or use the content"),
        ("disputes", "参加者間の紛争について責任を負わない", "not responsible for disputes between participants"),
        ("changes", "遡って適用されない", "does not apply retroactively"),
        ("governing_law", "日本法", "laws of Japan"),
    ],
)
def test_platform_rules_substance(code: str, ja: str, en: str) -> None:
    rule = section(code)
    assert ja in rule.text["ja"], (code, ja)
    assert en in rule.text["en"], (code, en)
