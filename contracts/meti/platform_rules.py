"""Ichiba's own market rules (本マーケット規約): the data-sharing / platform layer of the METI guideline.

Every participant agrees to these rules; the data contracts concluded between participants refer to them as
the "Market Rules" (本マーケット規約). They follow the data-sharing (platform) type of METI's "Contract
Guidelines on Utilization of AI and Data" and the Data Trading Alliance's certification criteria for data
trading market operators: neutrality, transparency, traceability, participants in control of their listings,
and qualified participants.

Pure Python (no Django). The text has no placeholders: the platform fee rate is configured and published next to
these rules. Paragraphs are separated by a blank line; the items of a paragraph follow it on their own lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PLATFORM_RULES_VERSION = 1


@dataclass(frozen=True)
class Section:
    code: str  # stable snake_case id
    title: Mapping[str, str] = field(hash=False)  # {"ja": ..., "en": ...}
    text: Mapping[str, str] = field(hash=False)  # {"ja": ..., "en": ...}


def _text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


PLATFORM_RULES: tuple[Section, ...] = (
    Section(
        code="purpose_scope",
        title={"ja": "目的及び適用範囲", "en": "Purpose and Scope"},
        text={
            "ja": _text(
                "1. 本規約は、データ取引市場「Ichiba」（以下「本マーケット」という。）の運営者（以下「運営者」という。"
                "）が、本マーケットを利用する全ての参加者に適用する規則を定めるものである。本マーケットは、"
                "匿名加工情報及び個人に関する情報を含まないデータ（IoTセンシングデータ等）を、"
                "透明かつ公正な規則の下で、組織の垣根及び国境を越えて流通させることを目的とする。",
                "2. 本規約において「参加者」とは、本規約に同意し、"
                "運営者の確認を経て本マーケットへの参加を認められた法人その他の団体をいい、"
                "データを掲載して提供する参加者を「提供者」、データの利用許諾を受ける参加者を「利用者」という。"
                "「データ契約」とは、本マーケットにおける取引の約定により提供者と利用者との間で成立する、"
                "データの提供に関する契約をいう。",
                "3. 本規約は、経済産業省「AI・データの利用に関する契約ガイドライン」"
                "に示されたデータ共用型（プラットフォーム型）の考え方、"
                "及び一般社団法人データ流通推進協議会によるデータ取引市場運営事業者の認定基準を踏まえて定める。"
                "個々のデータの利用条件は、本規約ではなく、各データ契約において定める。",
                "4. データ契約において「本マーケット規約」というときは、本規約をいう。",
            ),
            "en": _text(
                '1. These rules are laid down by the operator (the "Operator") of the data trading market "Ichiba" '
                '(the "Market") and apply to every participant using the Market. The purpose of the Market is to let '
                "anonymously processed information and data that concerns no individual (such as IoT sensing data) "
                "flow across organisations and borders under transparent and fair rules.",
                '2. In these rules, a "participant" is a company or other organisation that has agreed to these rules '
                "and has been admitted to the Market after verification by the Operator; a participant that lists and "
                'provides data is a "provider" and a participant that is licensed to use data is a "recipient". A '
                '"data contract" is a contract for the provision of data concluded between a provider and a recipient '
                "when a trade is executed on the Market.",
                "3. These rules follow the data-sharing (platform) type of METI's \"Contract Guidelines on "
                "Utilization of AI and Data\" and the Data Trading Alliance's certification criteria for data trading "
                "market operators. The conditions of use of each dataset are set by the data contract concerned, not "
                "by these rules.",
                '4. Where a data contract refers to the "Market Rules", it means these rules.',
            ),
        },
    ),
    Section(
        code="neutrality",
        title={"ja": "運営者の中立性", "en": "Neutrality of the Operator"},
        text={
            "ja": _text(
                "1. 運営者は、仲介者としてのみ本マーケットを運営し、自己の計算においてデータの取引を行わない。"
                "運営者並びにその役員及び従業員は、本マーケットにおいて自己の計算で注文を発注せず、"
                "データを掲載しない。",
                "2. 運営者は、データの価格を設定せず、価格について推奨又は指示をしない。取引の価格は、"
                "参加者が発注した注文のみに基づき、本マーケットの注文板において、"
                "価格の優先及び時間の優先の原則に従って注文を照合することにより決定される。",
                "3. 運営者は、データ契約の当事者とならない。データ契約上の権利及び義務は提供者及び利用者のみに帰属し、"
                "運営者は、データの内容、品質若しくは適法性又はデータ契約の履行について保証しない。",
                "4. 運営者は、全ての参加者を公平に取り扱い、特定の参加者に対し、"
                "注文情報その他の市場情報への優先的なアクセス、手数料の優遇その他の有利な取扱いをしない。",
                "5. 運営者は、本マーケットの決済機能を通じ、提供者のために利用者から対価を受領し、"
                "手数料を控除した額を提供者に引き渡す。利用者が本マーケットの決済機能を通じて対価を支払ったときは、"
                "利用者の提供者に対する対価の支払義務は履行されたものとする。",
            ),
            "en": _text(
                "1. The Operator runs the Market only as an intermediary and never trades data on its own account. "
                "Neither the Operator nor its officers or employees place orders on their own account or list data on "
                "the Market.",
                "2. The Operator sets no prices for data and neither recommends nor directs prices. Prices are formed "
                "solely from the orders placed by participants, by matching them in the Market's order book according "
                "to price priority and then time priority.",
                "3. The Operator is never a party to a data contract. The rights and obligations under a data "
                "contract belong only to the provider and the recipient, and the Operator gives no warranty as to the "
                "content, quality or lawfulness of data or the performance of data contracts.",
                "4. The Operator treats all participants equally and gives no participant priority access to order "
                "information or other market information, preferential fees or any other advantage.",
                "5. Through the Market's settlement facility, the Operator receives the fees from the recipient on "
                "behalf of the provider and passes them on to the provider after deducting the platform fee. When a "
                "recipient pays through the Market's settlement facility, its obligation to pay the provider is "
                "discharged.",
            ),
        },
    ),
    Section(
        code="platform_fee",
        title={"ja": "手数料", "en": "Platform Fee"},
        text={
            "ja": _text(
                "1. 本マーケットの手数料の料率は、本マーケット上に公表され、"
                "本マーケットにおいて成立する全ての取引に一律に適用される。",
                "2. 手数料は、取引の約定代金に公表された料率を乗じて算定し、提供者に引き渡す額から控除する。利用者は、"
                "約定代金のほかに手数料を負担しない。各取引の約定代金、手数料及び提供者への引渡額は、"
                "当該取引の当事者に対して決済情報として表示される。",
                "3. 運営者は、公表していない手数料その他の対価を、取引に関して参加者から収受しない。",
                "4. 手数料の料率の変更は、「本規約の変更」に定める手続に従って事前に公表し、"
                "変更の効力発生日より前に成立した取引には適用しない。",
            ),
            "en": _text(
                "1. The rate of the Market's platform fee is published on the Market and applies uniformly to every "
                "trade executed on the Market.",
                "2. The platform fee is calculated by applying the published rate to the price of the trade and is "
                "deducted from the amount passed on to the provider. The recipient pays no fee in addition to the "
                "trade price. The trade price, the platform fee and the amount passed on to the provider are shown to "
                "the parties to each trade with its settlement.",
                "3. The Operator charges participants no unpublished fee or other consideration in connection with "
                "trades.",
                '4. A change of the fee rate is published in advance following the procedure in the section "Changes '
                'to These Rules" and does not apply to trades executed before it takes effect.',
            ),
        },
    ),
    Section(
        code="participants",
        title={"ja": "参加資格", "en": "Qualification of Participants"},
        text={
            "ja": _text(
                "1. 本マーケットに参加することができるのは、法人その他の団体に限る。",
                "2. 参加を希望する団体は、運営者所定の方法により、名称、所在国、"
                "連絡先その他運営者が求める情報を申告する。運営者は、登記事項その他の公的な資料による実在性の確認、"
                "及び反社会的勢力に該当しないことの確認を含め、申告内容を確認する。",
                "3. 運営者による確認を完了した参加者に限り、本マーケットにおいて注文を発注し、取引を行うことができる。",
                "4. 参加者は、申告内容に変更が生じたときは、遅滞なく運営者に届け出る。参加者は、"
                "自らに発行されたAPIキーその他の認証情報を適切に管理し、その使用により行われた行為について責任を負う。",
                "5. 運営者は、参加者が参加資格を欠くに至ったことが判明した場合、「禁止事項及び措置」"
                "に定める措置を講ずることができる。",
            ),
            "en": _text(
                "1. Only companies and other organisations may participate in the Market.",
                "2. An organisation wishing to participate declares its name, country, contact details and any other "
                "information the Operator requires, in the manner the Operator prescribes. The Operator verifies the "
                "declaration, including the organisation's existence against its commercial registration or other "
                "official records and that it is not an anti-social force.",
                "3. Only participants whose verification by the Operator is complete may place orders and trade on "
                "the Market.",
                "4. A participant shall notify the Operator without delay of any change to the information it "
                "declared. A participant shall keep the API keys and other credentials issued to it secure and is "
                "responsible for everything done with them.",
                "5. If a participant is found to no longer meet the qualifications, the Operator may take the "
                'measures in the section "Prohibited Conduct and Measures".',
            ),
        },
    ),
    Section(
        code="listings",
        title={"ja": "掲載の管理", "en": "Participants' Control of Listings"},
        text={
            "ja": _text(
                "1. 提供者は、自らのデータセット、そのバージョン及び提供条件を、いつでも本マーケットに掲載し、変更し、"
                "又は取り下げることができる。運営者は、本規約に定める場合を除き、提供者の掲載を変更し、"
                "又は取り下げない。",
                "2. 提供条件の変更は、変更後に成立する取引にのみ適用される。利用者は、掲載中の提供条件の全文を確認し、"
                "そのハッシュ値を示して同意した上で購入の注文を発注し、成立したデータ契約の条件は、"
                "利用者が同意した提供条件による。",
                "3. 掲載の変更又は取下げは、それ以前に成立したデータ契約に影響を及ぼさない。利用者は、"
                "掲載の取下げ後も、データ契約の有効期間中、"
                "当該データ契約の対象であるバージョンを引き続き取得することができ、運営者はそのための配信を継続する。",
                "4. データセットを掲載すると、その説明、データ項目、スキーマ、"
                "匿名加工情報である場合の公表事項（個人に関する情報の項目、提供の方法及び匿名加工の方法の概要）、"
                "並びに最新の公開バージョンから抽出された最大20行のサンプルが、本マーケット上で公開される。",
            ),
            "en": _text(
                "1. A provider may list, change and withdraw its datasets, their versions and its offerings on the "
                "Market at any time. The Operator does not change or withdraw a provider's listing except as provided "
                "in these rules.",
                "2. A change of an offering's terms applies only to trades executed after the change. A recipient "
                "places a buy order after reviewing the full terms of the offering as listed and accepting them by "
                "stating their hash value; the data contract concluded follows the terms the recipient accepted.",
                "3. Changing or withdrawing a listing does not affect data contracts concluded before. After a "
                "withdrawal the recipient may still obtain, for the term of its data contract, the version covered by "
                "that contract, and the Operator continues to deliver it.",
                "4. Listing a dataset publishes on the Market its description, data items and schema, the disclosures "
                "required for anonymously processed information (the items of information relating to individuals, "
                "the method of provision and a summary of the anonymisation method), and a sample of at most 20 rows "
                "taken from the latest published version.",
            ),
        },
    ),
    Section(
        code="listable_data",
        title={"ja": "掲載できるデータ", "en": "Data That May Be Listed"},
        text={
            "ja": _text(
                "1. 本マーケットに掲載することができるデータは、次の各号のいずれかに該当するものに限る。\n"
                "(1) 個人情報の保護に関する法律（以下「個人情報保護法」という。）に定める匿名加工情報であって、"
                "提供者が、提供に先立ち、"
                "当該匿名加工情報に含まれる個人に関する情報の項目及びその提供の方法を本マーケット上で公表するもの\n"
                "(2) IoTセンシングデータその他の個人に関する情報を含まないデータ",
                "2. 個人情報（個人データ及び仮名加工情報を含む。）は、本マーケットに掲載することができず、"
                "運営者はその登録を拒否する。個人に関するデータの流通は、本人の関与の下で行われるべきものであり、"
                "情報銀行、PDS（パーソナルデータストア）その他本人が管理する仕組みを通じて行われる必要がある。",
                "3. 提供者は、掲載するデータが適法に取得されたものであること、"
                "その掲載及び提供に必要な権限を有すること、"
                "並びにデータにマルウェアその他の有害なコードが含まれていないことを確認した上で掲載する。",
                "4. 運営者は、公開の前に、アップロードされたファイルについて自動化された検査を行う。この検査には、"
                "直接的な識別子（電子メールアドレス、電話番号、12桁の個人番号等）の検出、"
                "及び匿名加工情報について申告された準識別子に関するk-匿名性の測定を含む。"
                "検査に合格しないバージョンは公開されない。この検査は、"
                "提供者の法令上及びデータ契約上の責任を軽減するものではなく、"
                "運営者がデータの適法性を保証するものでもない。",
                "5. 法令に違反し、又は第三者の権利を侵害するデータは、掲載することができない。",
            ),
            "en": _text(
                "1. Only the following data may be listed on the Market:\n"
                "(1) anonymously processed information under the Act on the Protection of Personal Information (the "
                '"APPI"), for which the provider publishes on the Market, before providing it, the items of '
                "information relating to individuals that it contains and the method of its provision; and\n"
                "(2) IoT sensing data and other data that contains no information relating to individuals.",
                "2. Personal information (including personal data and pseudonymously processed information) may not "
                "be listed, and the Operator refuses to register it. Data about individuals should flow only with the "
                "involvement of the individuals concerned, through information banks, personal data stores (PDS) or "
                "other mechanisms under their control.",
                "3. Before listing data, the provider shall make sure that the data was lawfully acquired, that the "
                "provider has the authority needed to list and provide it, and that it contains no malware or other "
                "harmful code.",
                "4. Before publication, the Operator runs automated checks on each uploaded file, including detection "
                "of direct identifiers (e-mail addresses, telephone numbers, 12-digit individual numbers and the "
                "like) and, for anonymously processed information, measurement of k-anonymity over the declared "
                "quasi-identifiers. A version that fails the checks is not published. The checks do not reduce the "
                "provider's responsibility under the law or under data contracts, and the Operator does not warrant "
                "the lawfulness of any data.",
                "5. Data that violates any law or infringes the rights of a third party may not be listed.",
            ),
        },
    ),
    Section(
        code="trading",
        title={"ja": "取引の成立とデータ契約", "en": "Trades and Data Contracts"},
        text={
            "ja": _text(
                "1. 取引は、"
                "参加者が本マーケットに発注した買い注文と売り注文が注文板において照合されることにより成立する。"
                "取引が成立したときは、当該取引の提供者と利用者との間で、"
                "提供条件が指定する契約書式に従ったデータ契約が成立する。",
                "2. 匿名加工情報の取引においては、データ契約は、"
                "当該データが匿名加工情報である旨の明示及び再識別の禁止を、提供条件の内容にかかわらず必ず含み、"
                "利用者がこれを受諾したことが記録される。",
                "3. 運営者は、各データ契約について、日本語及び英語による契約文書、並びにODRL "
                "2.2による機械可読な表現を当事者に提供する。",
                "4. 対価の支払は、本マーケットの決済機能を通じて行う。",
            ),
            "en": _text(
                "1. A trade is executed when a buy order and a sell order placed on the Market by participants are "
                "matched in the order book. When a trade is executed, a data contract following the contract template "
                "named by the offering is concluded between the provider and the recipient of that trade.",
                "2. For anonymously processed information, the data contract always includes the notice that the data "
                "is anonymously processed information and the prohibition of re-identification, whatever the "
                "offering's terms say, and the recipient's acceptance of them is recorded.",
                "3. For each data contract, the Operator provides the parties with the contract document in Japanese "
                "and English and a machine-readable expression in ODRL 2.2.",
                "4. Fees are paid through the Market's settlement facility.",
            ),
        },
    ),
    Section(
        code="trade_records",
        title={"ja": "取引記録及びトレーサビリティ", "en": "Trade Records and Traceability"},
        text={
            "ja": _text(
                "1. 運営者は、本マーケットにおける全ての注文、取引、"
                "データ契約（提供条件及び契約文書のハッシュ値を含む。）、同意、決済及びデータの配信を記録する。",
                "2. 参加者は、自らが当事者である注文、取引、データ契約及び決済の履歴を、"
                "本マーケットにおいていつでも閲覧することができる。",
                "3. 提供者は、自らが提供したデータの利用履歴（いずれの利用者が、いずれのバージョンを、いつ取得したか）"
                "を閲覧することができる。",
                "4. 取引の価格、数量及び約定日時は、当事者を特定しない形で全ての参加者に公開される。注文板は、"
                "価格ごとに集計された数量のみを表示し、発注者を表示しない。",
                "5. 運営者は、前各項の記録を、"
                "データ契約の有効期間中及びその終了後も法令上必要な期間並びにデータ契約に関する紛争の解決に必要な期間"
                "保存する。",
            ),
            "en": _text(
                "1. The Operator records every order, trade, data contract (including the hash values of its terms "
                "and of its document), acceptance, settlement and delivery of data on the Market.",
                "2. Participants can see at any time on the Market the history of the orders, trades, data contracts "
                "and settlements to which they are a party.",
                "3. A provider can see the usage history of the data it provides: which recipient obtained which "
                "version, and when.",
                "4. The price, quantity and time of each trade are published to all participants without identifying "
                "the parties. The order book shows only the quantities aggregated at each price, never who placed the "
                "orders.",
                "5. The Operator keeps these records for the term of each data contract and afterwards for as long as "
                "the law requires and as needed to resolve disputes about data contracts.",
            ),
        },
    ),
    Section(
        code="data_and_market_information",
        title={"ja": "データ及び市場情報の取扱い", "en": "Handling of Data and Market Information"},
        text={
            "ja": _text(
                "1. 運営者は、本マーケットで取引されるデータの内容を閲覧せず、分析せず、利用しない。ただし、"
                "次の各号に掲げる場合は、当該各号に定める範囲に限り、この限りでない。\n"
                "(1) 「掲載できるデータ」に定める自動化された検査及びサンプルの生成を行う場合\n"
                "(2) 法令に基づく場合\n"
                "(3) 当該データの提供者から技術的な支援を求められた場合（その求めの範囲に限る。）",
                "2. 運営者は、注文、取引、利用履歴その他本マーケットの運営を通じて取得した情報（以下「市場情報」"
                "という。）を、本マーケットの運営（不正の防止及び法令の遵守を含む。）以外の目的で利用せず、"
                "第三者に提供しない。運営者は、市場情報を自己の取引、"
                "自己のデータ製品の作成又は特定の参加者への提供のために用いない。ただし、"
                "本規約により全ての参加者に公開される情報及び法令に基づく開示は、この限りでない。",
                "3. 運営者は、データ及び市場情報について、不正アクセス、漏えい、"
                "滅失及び毀損を防止するために必要かつ適切な安全管理措置を講ずる。",
            ),
            "en": _text(
                "1. The Operator does not view, analyse or use the content of the data traded on the Market, except, "
                "and only to the extent necessary:\n"
                '(1) to run the automated checks and generate the samples described in the section "Data That May Be '
                'Listed";\n'
                "(2) where required by law; or\n"
                "(3) where the provider of the data asks for technical support (within the scope of its request).",
                "2. The Operator does not use orders, trades, usage histories or other information obtained through "
                'running the Market ("market information") for any purpose other than running the Market (including '
                "preventing fraud and complying with the law), and does not provide it to third parties. The Operator "
                "never uses market information for its own trading, for its own data products or for the benefit of "
                "particular participants. This does not apply to information published to all participants under "
                "these rules or to disclosure required by law.",
                "3. The Operator takes the security measures necessary and appropriate to protect data and market "
                "information against unauthorised access, leakage, loss and damage.",
            ),
        },
    ),
    Section(
        code="prohibited_conduct",
        title={"ja": "禁止事項及び措置", "en": "Prohibited Conduct and Measures"},
        text={
            "ja": _text(
                "1. 参加者は、次の各号に掲げる行為をしてはならない。\n"
                "(1) 個人情報その他「掲載できるデータ」により掲載が認められないデータを掲載すること\n"
                "(2) 提供する権限を有しないデータを掲載すること\n"
                "(3) 匿名加工情報について再識別を行い、又は試みること\n"
                "(4) 約定させる意思のない注文の発注、自己又は関係者の間での仮装の取引その他価格の形成を歪める行為\n"
                "(5) ダウンロード用トークン、APIキーその他の認証情報を第三者と共有すること\n"
                "(6) 本マーケットのシステムに過度の負荷をかけ、又はその運営を妨げる行為\n"
                "(7) 法令又は公序良俗に違反する行為",
                "2. 運営者は、参加者が前項に違反し、若しくは参加資格を欠くに至ったと合理的に認める場合、"
                "当該参加者に理由を通知した上で、警告、注文の取消し、掲載の停止、"
                "取引の停止又は参加資格の取消しの措置を講ずることができる。緊急の必要がある場合、"
                "通知は措置の後に遅滞なく行えば足りる。",
                "3. 前項の措置は、既に成立したデータ契約の効力に影響を及ぼさない。ただし、データ契約の当事者が、"
                "当該データ契約に基づき解除その他の権利を行使することを妨げない。",
            ),
            "en": _text(
                "1. Participants shall not:\n"
                '(1) list personal information or any other data that the section "Data That May Be Listed" does not '
                "allow;\n"
                "(2) list data they have no authority to provide;\n"
                "(3) re-identify, or attempt to re-identify, individuals in anonymously processed information;\n"
                "(4) place orders they do not intend to have executed, trade with themselves or related parties to "
                "create a false appearance of trading, or otherwise distort the formation of prices;\n"
                "(5) share download tokens, API keys or other credentials with third parties;\n"
                "(6) overload the Market's systems or obstruct its operation; or\n"
                "(7) act against the law or public order and morals.",
                "2. Where the Operator reasonably finds that a participant has breached the preceding paragraph or no "
                "longer meets the qualifications, it may, after notifying the participant of its reasons, give a "
                "warning, cancel orders, suspend listings, suspend trading or revoke the participant's admission. In "
                "an emergency, it suffices to notify the participant without delay after the measure.",
                "3. Measures under the preceding paragraph do not affect data contracts already concluded. They do "
                "not prevent a party to a data contract from terminating it or exercising its other rights under that "
                "contract.",
            ),
        },
    ),
    Section(
        code="disputes",
        title={"ja": "参加者間の紛争", "en": "Disputes between Participants"},
        text={
            "ja": _text(
                "1. データ契約に関する紛争は、当該データ契約の当事者間において、当該データ契約の定めに従って解決する。"
                "運営者は、データ契約の当事者ではなく、参加者間の紛争について責任を負わない。",
                "2. 運営者は、紛争の当事者である参加者の求めに応じ、"
                "当該紛争に関係する取引の記録（提供条件及び契約文書のハッシュ値、同意、"
                "決済並びにデータの配信の記録を含む。）を、当該取引の当事者に提供する。",
                "3. 運営者は、必要と認める場合、"
                "当事者間の協議の場を設けるなどして紛争の円滑な解決に協力することができる。ただし、運営者は、"
                "紛争について判断を示し、又は解決を強制するものではない。",
            ),
            "en": _text(
                "1. Disputes about a data contract are resolved between its parties in accordance with that contract. "
                "The Operator is not a party to data contracts and is not responsible for disputes between "
                "participants.",
                "2. At the request of a participant that is a party to a dispute, the Operator provides the parties "
                "to the trade concerned with its records of that trade (including the hash values of the terms and of "
                "the contract document, and the records of acceptance, settlement and delivery of the data).",
                "3. Where it sees fit, the Operator may help the parties resolve the dispute smoothly, for example by "
                "arranging an opportunity for them to consult each other. The Operator does not, however, decide "
                "disputes or impose a resolution.",
            ),
        },
    ),
    Section(
        code="operator_responsibility",
        title={"ja": "運営者の責任", "en": "Responsibility of the Operator"},
        text={
            "ja": _text(
                "1. 運営者は、善良な管理者の注意をもって本マーケットを運営する。運営者は、"
                "保守その他の理由により本マーケットを停止する場合、緊急の場合を除き、事前に本マーケット上で告知する。",
                "2. 運営者は、データの内容、品質若しくは適法性又はデータ契約の履行について責任を負わない。",
                "3. 運営者が本規約に違反して参加者に損害を与えた場合、運営者は、"
                "参加者に現実に生じた通常かつ直接の損害を賠償する。ただし、"
                "運営者に故意又は重大な過失がある場合を除き、賠償額は、"
                "損害の原因となった事由が生じた日の前12か月間に運営者が当該参加者に係る取引について収受した手数料の総"
                "額を上限とする。",
            ),
            "en": _text(
                "1. The Operator runs the Market with the care of a prudent manager. Except in an emergency, the "
                "Operator announces on the Market in advance any suspension of the Market for maintenance or other "
                "reasons.",
                "2. The Operator is not responsible for the content, quality or lawfulness of data or for the "
                "performance of data contracts.",
                "3. If the Operator causes damage to a participant by breaching these rules, it compensates the "
                "ordinary and direct damage actually incurred by the participant. Except where the Operator acted "
                "with intent or gross negligence, its liability is capped at the total platform fees it received on "
                "trades of that participant in the 12 months before the event giving rise to the damage.",
            ),
        },
    ),
    Section(
        code="changes",
        title={"ja": "本規約の変更", "en": "Changes to These Rules"},
        text={
            "ja": _text(
                "1. 運営者は、民法第548条の4の定めに従い、本規約を変更することができる。この場合、運営者は、"
                "変更後の本規約の内容及び変更の効力発生日を、効力発生日の30日前までに本マーケット上で公表し、"
                "参加者に通知する。",
                "2. 本規約の変更は、効力発生日以後に成立する取引及び行われる行為に適用され、"
                "効力発生日より前に成立したデータ契約及び取引に遡って適用されない。",
                "3. 本規約には版番号を付し、運営者は、"
                "過去の版を含む全ての版を本マーケット上で閲覧することができる状態に置く。",
            ),
            "en": _text(
                "1. The Operator may change these rules in accordance with Article 548-4 of the Civil Code. It then "
                "publishes on the Market, and notifies participants of, the changed rules and the date on which they "
                "take effect, at least 30 days before that date.",
                "2. A change applies to trades executed and acts done on or after the date it takes effect. It does "
                "not apply retroactively to data contracts or trades concluded before that date.",
                "3. These rules carry a version number, and the Operator keeps every version, including past ones, "
                "available on the Market.",
            ),
        },
    ),
    Section(
        code="governing_law",
        title={"ja": "準拠法及び管轄", "en": "Governing Law and Jurisdiction"},
        text={
            "ja": _text(
                "1. 本規約は、日本法に準拠し、日本法に従って解釈される。",
                "2. 本規約に関する運営者と参加者との間の一切の紛争については、"
                "東京地方裁判所を第一審の専属的合意管轄裁判所とする。",
                "3. データ契約の準拠法及び紛争解決機関は、当該データ契約の定めによる。",
                "4. 本規約は、日本語及び英語により作成される。両者の間に齟齬がある場合は、日本語の本文が優先する。",
            ),
            "en": _text(
                "1. These rules are governed by and construed in accordance with the laws of Japan.",
                "2. The Tokyo District Court has exclusive jurisdiction at first instance over all disputes between "
                "the Operator and a participant concerning these rules.",
                "3. The governing law of a data contract and its forum for disputes are as set out in that data "
                "contract.",
                "4. These rules are made in Japanese and English. In case of any discrepancy, the Japanese text "
                "prevails.",
            ),
        },
    ),
)
