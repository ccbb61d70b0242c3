"""The METI data-provision contract template (データ提供型): the legal text of every clause, in Japanese and English.

Modelled on METI's "Contract Guidelines on Utilization of AI and Data" (AI・データの利用に関する契約ガイドライン),
data section, data-provision type, for a licence concluded on the Ichiba market between a provider (提供者, the
seller) and a recipient (利用者, the buyer). The parameters and their defaults live in ``data_provision_terms``;
this module holds the words only (pure Python: no Django).

Conventions of the text:

* Each clause's ``text`` is plain text. Paragraphs (項) are separated by a blank line; the items (号) of a paragraph
  follow it on their own lines ("(1) ..."). A renderer shows single line breaks as line breaks.
* ``{name}`` is a placeholder, filled by :func:`render_clause_text` from a context with the keys in
  ``CONTEXT_KEYS``. Labels of term values come from ``VALUE_LABELS``; the clause text quotes those labels when it
  explains what each value means, so a label and its explanation cannot drift apart.
* Clauses that apply only to one data class are left out of other contracts, and the renderer numbers the
  clauses it shows from 1. So the text never refers to another clause by number, only by its title:
  「利用許諾」の条 / the Article "Licence".
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["ja", "en"]
LANGUAGES: tuple[Lang, ...] = ("ja", "en")
DATA_CLASSES = ("anonymized", "iot")


@dataclass(frozen=True)
class Clause:
    code: str  # stable snake_case id
    number: int  # article number (第n条 / Article n), 1-based, in order
    title: Mapping[str, str] = field(hash=False)  # {"ja": ..., "en": ...}
    text: Mapping[str, str] = field(hash=False)  # {"ja": ..., "en": ...}: the clause's full text with {placeholders}
    parameters: tuple[str, ...]  # top-level term keys the clause uses, () if none
    negotiable: bool  # whether the seller may change these parameters
    applies_to: frozenset[str] | None = None  # data classes it applies to ("anonymized", "iot"); None = always
    survives: bool = False  # survives termination
    # The terms it applies to, by the name of a predicate of TERMS_CONDITIONS ("subscription", "stream"); None =
    # every contract. A licence's terms meet none of them, so its document is what it was before they existed.
    when: str | None = None


TEMPLATE_CODE = "meti-data-provision"
TEMPLATE_VERSION = 1
CONTRACT_TYPE = "data_provision"
TITLE = {
    "ja": "データ提供契約（AI・データの利用に関する契約ガイドライン準拠）",
    "en": "Data Provision Agreement (after the METI AI/Data Contract Guidelines)",
}

# The only names a clause may use as placeholders: the renderer provides exactly these.
CONTEXT_KEYS = frozenset(
    {
        "dataset_title",
        "dataset_version",
        "data_items",
        "file_format",
        "row_count",
        "sha256",
        "time_period",
        "delivery_channel",
        "license_type_label",
        "purpose",
        "processing_label",
        "sublicense_label",
        "third_party_provision_label",
        "territory_label",
        "price",
        "quantity",
        "total",
        "currency",
        "warranties_list",
        "liability_cap_label",
        "confidentiality_years",
        "derived_rights_label",
        "derived_access_label",
        "personal_info_items",
        "anonymization_method",
        "duration_days",
        "valid_from",
        "valid_until",
        "end_of_term_label",
        "governing_law_label",
        "forum",
        "seller_name",
        "buyer_name",
        "period_days",
        "term_periods",
        "delivery_commitment",
        "grace_days",
        "stream_topic",
    }
)


def _text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# --- clauses ---------------------------------------------------------------------------------------------

_DEFINITIONS = Clause(
    code="definitions",
    number=1,
    title={"ja": "定義及び本データ", "en": "Definitions and the Data"},
    text={
        "ja": _text(
            "1. 本契約は、データ取引市場「Ichiba」（以下「本マーケット」という。）において成立した取引に基づき、"
            "{seller_name}（以下「提供者」という。）と{buyer_name}（以下「利用者」という。）との間で締結される、"
            "本データの提供に関する契約である。本マーケットの運営者（以下「運営者」という。）は、"
            "本契約の当事者ではない。",
            "2. 本契約において「本データ」とは、提供者が本マーケットに掲載したデータセット「{dataset_title}」"
            "のバージョン{dataset_version}であって、次の各号に定めるものをいう。\n"
            "(1) データ項目：{data_items}\n"
            "(2) ファイル形式：{file_format}\n"
            "(3) レコード数：{row_count}\n"
            "(4) 対象期間：{time_period}\n"
            "(5) SHA-256ハッシュ値：{sha256}",
            "3. 本データの同一性は、前項第5号のハッシュ値により確認する。本データの仕様は、"
            "前項及び本マーケットにおける本データの掲載ページに公開されたスキーマに定めるところによるものとし、"
            "同ページに公開された説明及びサンプルは、本データの内容を理解するための参考として提供される。",
            "4. 本契約において、次の各号に掲げる用語の意味は、当該各号に定めるところによる。\n"
            "(1) 「本目的」とは、「利用許諾」の条に定める利用目的をいう。\n"
            "(2) 「加工」とは、本データの改変、編集、集計、統合、分析その他の処理をいう。\n"
            "(3) 「派生データ」とは、本データを加工することにより新たに生じたデータ（統計情報、"
            "分析結果及び本データを用いて学習させた学習済みモデルのパラメータを含む。）をいう。\n"
            "(4) 「第三者提供」とは、本データを利用者以外の者に提供し、開示し、又は利用可能な状態に置くことをいう。\n"
            "(5) 「有効期間」とは、「有効期間及び解除」の条に定める本契約の有効期間をいう。\n"
            "(6) 「本マーケット規約」とは、運営者が定めて本マーケットにおいて公表する、"
            "本マーケットの利用に関する規約をいう。\n"
            "(7) 「個人情報保護法」とは、個人情報の保護に関する法律（平成15年法律第57号）をいう。\n"
            "(8) 「匿名加工情報」とは、個人情報保護法第2条第6項に定める匿名加工情報をいう。",
            "5. 本契約において「書面」には、電子メールその他の電磁的方法により作成され、又は送信される記録を含む。",
            "6. 本契約に定めのない事項のうち、本マーケットにおける取引、決済及び本データの配信に関する事項については、"
            "本マーケット規約の定めによる。本契約の定めと本マーケット規約の定めが抵触する場合、"
            "提供者と利用者との間においては、本契約の定めが優先する。",
        ),
        "en": _text(
            '1. This Agreement is concluded between {seller_name} (the "Provider") and {buyer_name} (the "Recipient") '
            'on the basis of a trade executed on the data trading market "Ichiba" (the "Market"), and governs the '
            'provision of the Data. The operator of the Market (the "Operator") is not a party to this Agreement.',
            '2. In this Agreement, the "Data" means version {dataset_version} of the dataset "{dataset_title}" listed '
            "on the Market by the Provider, as described below:\n"
            "(1) Data items: {data_items}\n"
            "(2) File format: {file_format}\n"
            "(3) Number of records: {row_count}\n"
            "(4) Period covered: {time_period}\n"
            "(5) SHA-256 hash: {sha256}",
            "3. The identity of the Data is established by the hash value in item (5) of the preceding paragraph. The "
            "specification of the Data is as set out in the preceding paragraph and in the schema published on the "
            "Data's page on the Market; the description and the sample published on that page are provided for "
            "reference, to help the Recipient understand the content of the Data.",
            "4. In this Agreement, the following terms have the meanings given to them below:\n"
            '(1) "Purpose" means the purpose of use set out in the Article "Licence".\n'
            '(2) "Processing" means modifying, editing, aggregating, combining, analysing or otherwise processing the '
            'Data, and "Process" is construed accordingly.\n'
            '(3) "Derived Data" means data newly generated by Processing the Data, including statistics, analysis '
            "results and the parameters of machine-learning models trained using the Data.\n"
            '(4) "Third-Party Provision" means providing or disclosing the Data to, or making it available to, any '
            "person other than the Recipient.\n"
            '(5) "Term" means the term of this Agreement set out in the Article "Term and Termination".\n'
            '(6) "Market Rules" means the rules for the use of the Market laid down by the Operator and published on '
            "the Market.\n"
            '(7) "APPI" means the Act on the Protection of Personal Information (Act No. 57 of 2003).\n'
            '(8) "Anonymously Processed Information" means anonymously processed information as defined in Article '
            "2(6) of the APPI.",
            '5. In this Agreement, "writing" includes records made or sent by e-mail or other electronic means.',
            "6. Matters not provided for in this Agreement that concern trading, settlement and delivery of the Data "
            "on the Market are governed by the Market Rules. If this Agreement conflicts with the Market Rules, this "
            "Agreement prevails as between the Provider and the Recipient.",
        ),
    },
    parameters=(),
    negotiable=False,
)

_DELIVERY = Clause(
    code="delivery",
    number=2,
    title={"ja": "本データの提供", "en": "Delivery of the Data"},
    text={
        "ja": _text(
            "1. 提供者は、有効期間中、次の方法により、本データを利用者が取得することができる状態に置く。\n"
            "提供方法：{delivery_channel}",
            "2. 本マーケットを通じて提供する場合、利用者は、"
            "本マーケットが利用者に発行する有効期限付きのダウンロード用トークンを用いて本データを取得する。利用者は、"
            "トークンを自ら使用するものとし、これを第三者に開示し、又は共有してはならない。本契約が終了したときは、"
            "トークンは新たに発行されず、発行済みのトークンも無効となる。",
            "3. 提供者が自ら管理するエンドポイント（API等）を通じて提供する場合、提供者は、"
            "接続に必要な情報を利用者に通知し、有効期間中、"
            "当該エンドポイントを合理的な水準で利用可能な状態に維持するよう努める。利用者は、"
            "提供者が合理的に定める接続頻度その他の技術的な条件に従う。",
            "4. 利用者は、本データを最初に取得した日から14日以内に、本データのハッシュ値及び仕様が「定義及び本データ」"
            "の条に定めるものと一致するかを確認し、一致しない場合はその旨を提供者に通知する。提供者は、"
            "当該通知を受けたときは、速やかに一致する本データを提供し、これができないときは、利用者と協議の上、"
            "本マーケット規約に従って対価の全部又は一部の返還その他の適切な措置を講ずる。",
            "5. 提供者は、提供方法、ファイル形式、"
            "エンドポイントの仕様その他本データの提供に関する技術的な仕様を変更する場合、変更の30日前までに、"
            "変更の内容及び時期を利用者に書面で通知する。ただし、セキュリティ上緊急の必要がある場合は、"
            "変更後遅滞なく通知すれば足りる。",
            "6. 前項の変更によって本データの内容を変更することはできない。"
            "提供者が本データセットの新たなバージョンを公開した場合であっても、当該バージョンは、"
            "本マーケットにおいて新たな取引が成立しない限り、本契約の対象とならない。",
        ),
        "en": _text(
            "1. During the Term, the Provider shall make the Data available for the Recipient to obtain by the "
            "following means:\n"
            "Means of delivery: {delivery_channel}",
            "2. Where the Data is delivered through the Market, the Recipient obtains the Data using time-limited "
            "download tokens issued to it by the Market. The Recipient shall use the tokens itself and shall not "
            "disclose them to or share them with any third party. Once this Agreement ends, no further tokens are "
            "issued and tokens already issued cease to be valid.",
            "3. Where the Data is delivered through an endpoint (such as an API) operated by the Provider, the "
            "Provider shall notify the Recipient of the information needed to connect and shall endeavour to keep the "
            "endpoint available at a reasonable level throughout the Term. The Recipient shall comply with the "
            "request rates and other technical conditions reasonably set by the Provider.",
            "4. Within 14 days after first obtaining the Data, the Recipient shall check that the hash value and the "
            'specification of the Data match those set out in the Article "Definitions and the Data", and shall '
            "notify the Provider if they do not. On receiving such a notice, the Provider shall promptly provide Data "
            "that matches; if it cannot, it shall, after consulting the Recipient, refund all or part of the fees in "
            "accordance with the Market Rules or take other appropriate measures.",
            "5. If the Provider changes the means of delivery, the file format, the specification of an endpoint or "
            "any other technical specification of the delivery of the Data, it shall notify the Recipient in writing "
            "of the content and timing of the change at least 30 days in advance; where the change is urgently "
            "required for security reasons, it suffices to notify the Recipient without delay after the change.",
            "6. A change under the preceding paragraph may not change the content of the Data. A new version of the "
            "dataset published by the Provider is not covered by this Agreement unless a new trade for it is executed "
            "on the Market.",
        ),
    },
    parameters=(),
    negotiable=False,
)

_LICENSE = Clause(
    code="license",
    number=3,
    title={"ja": "利用許諾", "en": "Licence"},
    text={
        "ja": _text(
            "1. 提供者は、利用者に対し、有効期間中、次の各号に定める条件に従って本データを利用することを許諾する。\n"
            "(1) 許諾の種類：{license_type_label}\n"
            "(2) 利用目的：{purpose}\n"
            "(3) 加工：{processing_label}\n"
            "(4) 再許諾：{sublicense_label}\n"
            "(5) 第三者提供：{third_party_provision_label}\n"
            "(6) 利用地域：{territory_label}",
            "2. 利用者は、本データを本目的以外の目的で利用してはならない。"
            "ある利用が本目的の範囲内にあるかどうかについて疑義がある場合、利用者は、あらかじめ提供者と協議し、"
            "提供者の書面による承諾を得た場合に限り、当該利用を行うことができる。",
            "3. 加工が「不可」とされた場合、利用者は、本データを加工してはならず、派生データを生成してはならない。"
            "加工が「本目的の範囲内で可」とされた場合、利用者は、"
            "本目的の達成に必要な範囲で本データを加工することができる。加工が「制限なく可」とされた場合、利用者は、"
            "加工の方法及び範囲について制限を受けず、"
            "本データを復元することができない派生データを本目的以外の目的にも利用することができる。ただし、"
            "いずれの場合においても、本データそのものの利用は本目的の範囲に限られる。",
            "4. 再許諾又は第三者提供が「禁止」とされた場合、利用者はこれを行ってはならない。"
            "「提供者の事前の書面による承諾がある場合に限り可」とされた場合、利用者は、"
            "提供者の事前の書面による承諾を得た場合に限り、承諾された範囲でこれを行うことができる。「許可」"
            "とされた場合、利用者は、本目的の範囲内でこれを行うことができる。",
            "5. 利用者は、再許諾又は第三者提供を行う場合、その相手方に対し、"
            "本契約に基づく利用者の義務と同等以上の義務（本データが匿名加工情報である場合は、「再識別の禁止」"
            "の条に定める義務を含む。）を書面により課し、相手方の行為について自らの行為と同様に責任を負う。"
            "再許諾を受けた者は、更に再許諾をすることができない。",
            "6. 利用者が本データの取扱いの全部又は一部を第三者に委託することは、"
            "本契約において第三者提供に当たるものとし、第1項第5号の条件に従う。ただし、"
            "利用者が本データの保管のために利用するクラウドサービスであって、"
            "その提供事業者が本データを取り扱わないこととなっているものの利用は、第三者提供に当たらない。",
            "7. 利用者は、利用地域外において本データを利用してはならず、利用地域外から本データにアクセスし、"
            "又は利用地域外に所在する設備に本データを保存してはならない。",
            "8. 許諾の種類が「非独占的」である場合、提供者は、本データを第三者に利用許諾し、又は提供することができる。"
            "許諾の種類が「独占的」である場合、提供者は、有効期間中、本データを利用者以外の者に利用許諾し、"
            "又は提供してはならない。ただし、いずれの場合においても、提供者自身による本データの利用は妨げられない。",
            "9. 本契約は、本データに関するいかなる権利（知的財産権を含む。）も利用者に移転するものではない。"
            "本契約において明示的に許諾されていない権利は、全て提供者に留保される。",
        ),
        "en": _text(
            "1. The Provider grants the Recipient a licence to use the Data during the Term on the following "
            "conditions:\n"
            "(1) Type of licence: {license_type_label}\n"
            "(2) Purpose of use: {purpose}\n"
            "(3) Processing: {processing_label}\n"
            "(4) Sublicensing: {sublicense_label}\n"
            "(5) Third-Party Provision: {third_party_provision_label}\n"
            "(6) Territory: {territory_label}",
            "2. The Recipient shall not use the Data for any purpose other than the Purpose. Where it is unclear "
            "whether a use falls within the Purpose, the Recipient may make that use only after consulting the "
            "Provider and obtaining its consent in writing.",
            '3. Where Processing is "Not permitted", the Recipient shall not Process the Data and shall not generate '
            'Derived Data. Where Processing is "Permitted within the Purpose", the Recipient may Process the Data to '
            'the extent necessary to achieve the Purpose. Where Processing is "Permitted without restriction", the '
            "Recipient is not restricted in the methods or extent of Processing, and may use Derived Data from which "
            "the Data cannot be restored also for purposes other than the Purpose. In every case, use of the Data "
            "itself is limited to the Purpose.",
            '4. Where sublicensing or Third-Party Provision is "Prohibited", the Recipient shall not engage in it. '
            'Where it is "Permitted with the Provider\'s prior written consent", the Recipient may engage in it only '
            "after obtaining the Provider's prior consent in writing and only to the extent consented to. Where it "
            'is "Permitted", the Recipient may engage in it within the Purpose.',
            "5. When sublicensing or making a Third-Party Provision, the Recipient shall impose on the other party, "
            "in writing, obligations at least as strict as the Recipient's obligations under this Agreement "
            "(including, where the Data is Anonymously Processed Information, the obligations in the Article "
            '"Prohibition of Re-identification"), and is liable for that party\'s acts as for its own. A sublicensee '
            "may not grant further sublicences.",
            "6. Entrusting the handling of all or part of the Data to a third party is a Third-Party Provision for "
            "the purposes of this Agreement and is subject to the condition in item (5) of paragraph 1. Use of a "
            "cloud service for storing the Data, whose provider is not to handle the Data, is not a Third-Party "
            "Provision.",
            "7. The Recipient shall not use the Data outside the Territory, access the Data from outside the "
            "Territory or store the Data on facilities located outside the Territory.",
            '8. Where the type of licence is "Non-exclusive", the Provider may license or provide the Data to third '
            'parties. Where the type of licence is "Exclusive", the Provider shall not, during the Term, license or '
            "provide the Data to anyone other than the Recipient. In either case, the Provider remains free to use "
            "the Data itself.",
            "9. This Agreement does not transfer to the Recipient any right in the Data (including any intellectual "
            "property right). All rights not expressly granted in this Agreement are reserved to the Provider.",
        ),
    },
    parameters=("purpose", "processing", "license_type", "sublicense", "third_party_provision", "territory"),
    negotiable=True,
)

_FEES = Clause(
    code="fees",
    number=4,
    title={"ja": "対価及び支払", "en": "Fees and Payment"},
    text={
        "ja": _text(
            "1. 本データの対価は、本マーケットにおける約定に基づき、次のとおりとする。\n"
            "(1) 単価：{price}\n"
            "(2) 数量：{quantity}\n"
            "(3) 対価の総額：{total}\n"
            "(4) 通貨：{currency}",
            "2. 利用者は、対価の総額を、本マーケットの決済機能を通じて、"
            "本マーケット規約に定める時期及び方法により支払う。"
            "利用者が本マーケットの決済機能を通じて支払を完了した時に、利用者の対価の支払義務は履行されたものとする。",
            "3. 提供者は、対価の支払が完了するまでの間、本データの提供を留保することができる。",
            "4. 本マーケットの手数料は、本マーケット規約に基づき本マーケット上で公表された料率により算定され、"
            "本マーケット規約に従い、提供者が受け取る金額から控除される。利用者は、"
            "対価の総額のほかに本マーケットの手数料を負担しない。",
            "5. 運営者は、本契約の当事者ではなく、本マーケット規約に従い提供者のために対価を受領し、"
            "これを提供者に引き渡すにとどまる。運営者は、本データの内容及び本契約の履行について責任を負わない。",
            "6. 支払われた対価は、本契約に別段の定めがある場合を除き、返還されない。",
        ),
        "en": _text(
            "1. The fees for the Data, as executed on the Market, are as follows:\n"
            "(1) Unit price: {price}\n"
            "(2) Quantity: {quantity}\n"
            "(3) Total fees: {total}\n"
            "(4) Currency: {currency}",
            "2. The Recipient shall pay the total fees through the Market's settlement facility, at the time and in "
            "the manner set out in the Market Rules. The Recipient's obligation to pay is discharged when it "
            "completes the payment through the Market's settlement facility.",
            "3. The Provider may withhold delivery of the Data until the payment of the fees has been completed.",
            "4. The Market's platform fee is calculated at the rate published on the Market under the Market Rules "
            "and, in accordance with the Market Rules, is deducted from the amount payable to the Provider. The "
            "Recipient bears no platform fee in addition to the total fees.",
            "5. The Operator is not a party to this Agreement; it only receives the fees on behalf of the Provider "
            "and passes them on to the Provider in accordance with the Market Rules. The Operator bears no "
            "responsibility for the content of the Data or the performance of this Agreement.",
            "6. Fees paid are not refundable except as otherwise provided in this Agreement.",
        ),
    },
    parameters=(),
    negotiable=False,
)

_SUBSCRIPTION = Clause(
    code="subscription",
    number=5,
    title={"ja": "定期提供", "en": "Subscription"},
    text={
        "ja": _text(
            "1. 本契約は、提供者が、有効期間中、本データを期間ごとに継続して提供する定期提供の契約である。"
            "有効期間は、{valid_from}に始まる{period_days}日間の期間（以下「提供期間」という。）{term_periods}回からなり、"
            "{valid_until}までの{duration_days}日間とする。",
            "2. 本データには、「定義及び本データ」の条に定めるバージョンのほか、"
            "有効期間中に提供者が本マーケットにおいて公開する本データセットの新たなバージョンを含む。"
            "「新たなバージョン」とは、そのSHA-256ハッシュ値が、"
            "それ以前に公開された本データセットのいずれのバージョンのハッシュ値とも異なるバージョンをいい、"
            "各バージョンの同一性は、本マーケットに表示される当該バージョンのハッシュ値により確認する。",
            "3. 提供者は、各提供期間において、少なくとも次に掲げるものを提供する（以下「提供義務量」という。）。\n"
            "{delivery_commitment}",
            "4. 「対価及び支払」の条に定める単価及び対価の総額は、1提供期間当たりの対価とする"
            "（1席1提供期間当たり{price}、{quantity}席の1提供期間当たり{total}）。最初の提供期間の対価は、"
            "同条の定めるところにより取引の成立に際して支払われる。2回目以降の各提供期間の対価は後払いとし、"
            "運営者は、当該提供期間の終了後、当該提供期間において提供義務量が満たされた場合に限り、"
            "利用者が本マーケットに登録した支払方法により、利用者の個別の操作を要することなくこれを請求する。",
            "5. 提供期間において提供義務量が満たされなかった場合、当該提供期間の対価は請求されず、"
            "当該提供期間は本マーケットにおいて不履行として記録され、運営者はその旨を両当事者に通知する。この場合においても、"
            "本契約は以後の提供期間について存続する。",
            "6. 提供期間の対価の請求が決済において拒否された場合、利用者は支払遅延の状態となり、"
            "運営者は請求を再度行う。支払遅延の間、利用者には新たなバージョンが提供されない。"
            "最初に請求が拒否された時から{grace_days}日を経過してもなお支払がないときは、本契約はその時に終了する。"
            "本契約の終了は、既に発生した対価の支払義務に影響しない。",
            "7. 利用者は、本マーケットにおいて、いつでも定期提供を解約することができる。利用者は、解約した時点の"
            "提供期間の末日まで本データを利用することができ、本契約は当該末日に終了する。当該提供期間の対価は、"
            "第4項から第6項までの定めに従い請求され、その後の提供期間の対価は請求されない。支払済みの対価は返還されない。",
            "8. 本条の定めが「定義及び本データ」の条、「本データの提供」の条、「対価及び支払」の条又は"
            "「有効期間及び解除」の条の定めと抵触する場合は、本条の定めが優先する。",
        ),
        "en": _text(
            "1. This Agreement is a subscription: the Provider provides the Data as a feed throughout the Term, period "
            'by period. The Term consists of {term_periods} periods of {period_days} days each (each a "Period"), '
            "the first beginning at {valid_from}; it lasts {duration_days} days, until {valid_until}.",
            '2. Besides the version named in the Article "Definitions and the Data", the Data includes every new '
            "version of the dataset that the Provider publishes on the Market during the Term. A version is new if "
            "its SHA-256 hash differs from the hash of every version of the dataset published before it; the "
            "identity of each version is established by its hash as shown on the Market.",
            '3. In each Period, the Provider shall deliver at least the following (the "Delivery Commitment"):\n'
            "{delivery_commitment}",
            '4. The unit price and the total fees in the Article "Fees and Payment" are the fees for one Period '
            "({price} per seat per Period; {total} per Period for {quantity} seats). The fees for the first Period "
            "are paid when the trade is executed, as set out in that Article. The fees for each later Period are "
            "paid in arrears: after the Period ends, and only if the Delivery Commitment was met in it, the Operator "
            "charges them to the payment method the Recipient saved on the Market, without any action by the "
            "Recipient.",
            "5. If the Delivery Commitment is not met in a Period, no fees are charged for that Period; the Period is "
            "recorded on the Market as missed, and the Operator notifies both parties. This Agreement continues for "
            "the following Periods.",
            "6. If the charge for a Period is declined, the Recipient is past due: the Operator retries the charge, "
            "and no new versions are provided to the Recipient until the fees are paid. If they remain unpaid "
            "{grace_days} days after the charge was first declined, this Agreement ends at that time. The end of "
            "this Agreement does not affect fees already owed.",
            "7. The Recipient may cancel the subscription on the Market at any time. The Recipient may use the Data "
            "until the end of the Period in which it cancels, when this Agreement ends. That Period is charged as "
            "paragraphs 4 to 6 provide; no later Period is charged. Fees paid are not refunded.",
            '8. Where this Article conflicts with the Article "Definitions and the Data", the Article "Delivery of '
            'the Data", the Article "Fees and Payment" or the Article "Term and Termination", this Article prevails.',
        ),
    },
    parameters=("subscription",),
    negotiable=True,
    when="subscription",
)

_LIVE_STREAM = Clause(
    code="live_stream",
    number=6,
    title={"ja": "ライブストリーム", "en": "Live Stream"},
    text={
        "ja": _text(
            "1. 提供者は、「定期提供」の条に定めるバージョンのほか、本データを構成する計測値を、計測の都度、"
            "本マーケットのMQTTブローカーを通じて次のトピックに配信する（以下「ライブストリーム」という。）。"
            "ライブストリームにより配信されるデータは、本データの一部とする。\n"
            "トピック：{stream_topic}",
            "2. 運営者は、利用者に対し、ライブストリームを受信するための読取専用の認証情報を発行する。"
            "利用者は、認証情報を自ら使用するものとし、これを第三者に開示し、又は共有してはならない。"
            "利用者は、いつでも認証情報を再発行させることができ、再発行により従前の認証情報は無効となる。",
            "3. ライブストリームの受信は、本契約が終了したとき、"
            "利用者が「定期提供」の条に定める支払遅延の状態にある間、"
            "及び本契約が解除され、又は本マーケットにおける利用者の利用権が取り消されたときは、停止される。"
            "定期提供が解約された場合、利用者は、解約した時点の提供期間の末日までライブストリームを受信することができる。",
            "4. 提供者は、有効期間中、ライブストリームを合理的な水準で継続して配信するよう努める。"
            "提供義務量にライブストリームのメッセージ数が含まれる場合、メッセージ数は、"
            "運営者が当該トピックにおいて受信したメッセージを計数して算定する。",
        ),
        "en": _text(
            '1. Besides the versions under the Article "Subscription", the Provider delivers readings that form '
            "part of the Data as they are measured, through the Market's MQTT broker on the following topic (the "
            '"Live Stream"). What the Live Stream delivers is part of the Data.\n'
            "Topic: {stream_topic}",
            "2. The Operator issues the Recipient read-only credentials to receive the Live Stream. The Recipient "
            "shall use them itself and shall not disclose them to or share them with any third party. The Recipient "
            "may have them reissued at any time; reissuing invalidates the previous credentials.",
            "3. Access to the Live Stream is cut off when this Agreement ends, while the Recipient is past due under "
            'the Article "Subscription", and when this Agreement is terminated or the Recipient\'s entitlement on the '
            "Market is revoked. If the subscription is cancelled, the Recipient keeps receiving the Live Stream until "
            "the end of the current Period.",
            "4. The Provider shall endeavour to keep the Live Stream running at a reasonable level throughout the "
            "Term. Where the Delivery Commitment includes messages on the Live Stream, they are counted as the "
            "Operator receives them on the topic.",
        ),
    },
    parameters=(),
    negotiable=False,
    when="stream",
)

_WARRANTIES = Clause(
    code="warranties",
    number=7,
    title={"ja": "保証", "en": "Warranties"},
    text={
        "ja": _text(
            "1. 本データに関する提供者の保証の内容は、次に掲げる事項ごとに、それぞれ次に定めるとおりとする。\n"
            "{warranties_list}",
            "2. 前項に掲げる事項の意味は、次のとおりとする。\n"
            "(1) 「適法な取得」：本データが、法令及び第三者との契約に違反することなく、"
            "適法かつ適正な方法により取得又は生成されたものであり、提供者が本契約に基づき本データを提供し、"
            "その利用を許諾する権限を有すること。\n"
            "(2) 「正確性」：本データの内容が、「定義及び本データ」の条に定める仕様の範囲において、"
            "事実と相違しないこと。\n"
            "(3) 「完全性」：本データに欠損、重複又は破損がなく、「定義及び本データ」"
            "の条に定める仕様を満たしていること。\n"
            "(4) 「目的適合性」：本データが本目的に適合し、利用者が期待する成果をもたらすこと。\n"
            "(5) 「第三者の権利の非侵害」：本契約に従った本データの利用が、"
            "第三者の知的財産権その他の権利を侵害しないこと。\n"
            "(6) 「安全性」：本データにコンピュータウイルス、"
            "マルウェアその他の有害なプログラム又はコードが含まれていないこと。",
            "3. 第1項における保証の程度の意味は、次のとおりとする。\n"
            "(1) 「保証する」：提供者は、当該事項が真実かつ正確であることを保証する。"
            "当該事項が真実又は正確でなかった場合、提供者は、利用者の請求により、"
            "当該事項に適合する本データの提供その他の是正措置を講ずるほか、「損害賠償」の条に従って損害を賠償する。\n"
            "(2) 「努力義務」：提供者は、当該事項を満たすよう合理的な努力をし、"
            "当該事項を満たさないことを知ったときは遅滞なく利用者に通知するが、当該事項を満たすことを保証しない。\n"
            "(3) 「保証しない」：提供者は、当該事項について何ら保証せず、責任を負わない。",
            "4. 前各項に定めるほか、提供者は、本データについて、明示又は黙示を問わず何ら保証しない。提供者は、"
            "第1項において「保証する」とされた事項を除き、本データの契約不適合について責任を負わない。ただし、"
            "提供者が知りながら利用者に告げなかった事実については、この限りでない。",
            "5. 利用者は、本データを自らの判断と責任において利用する。本マーケットにおいて実施される掲載前の検査は、"
            "提供者の保証を代替するものではなく、運営者は、本データについて何ら保証しない。",
        ),
        "en": _text(
            "1. The Provider's warranties in respect of the Data are, for each matter listed below, as set out "
            "against it:\n{warranties_list}",
            "2. The matters in the preceding paragraph mean the following:\n"
            '(1) "Lawful acquisition": the Data was acquired or generated lawfully and fairly, without breach of any '
            "law or of any contract with a third party, and the Provider has the authority to provide the Data and to "
            "license its use under this Agreement.\n"
            '(2) "Accuracy": the content of the Data is true to the facts, within the specification set out in the '
            'Article "Definitions and the Data".\n'
            '(3) "Completeness": the Data has no missing, duplicated or corrupted parts and meets the specification '
            'set out in the Article "Definitions and the Data".\n'
            '(4) "Fitness for purpose": the Data is fit for the Purpose and produces the results the Recipient '
            "expects.\n"
            '(5) "Non-infringement": use of the Data in accordance with this Agreement does not infringe any '
            "intellectual property right or other right of a third party.\n"
            '(6) "Safety": the Data contains no computer virus, malware or other harmful program or code.',
            "3. The levels in paragraph 1 mean the following:\n"
            '(1) "Warranted": the Provider warrants that the matter is true and correct. If it is not, the Provider '
            "shall, at the Recipient's request, provide Data that conforms or take other corrective measures, and "
            'shall also compensate the Recipient\'s damage in accordance with the Article "Liability".\n'
            '(2) "Best efforts": the Provider shall make reasonable efforts to meet the matter and shall notify the '
            "Recipient without delay if it learns that the matter is not met, but does not warrant that it is met.\n"
            '(3) "Disclaimed": the Provider gives no warranty as to the matter and bears no liability for it.',
            "4. Except as provided in the preceding paragraphs, the Provider gives no warranty of any kind, express "
            'or implied, in respect of the Data. Except for the matters marked "Warranted" in paragraph 1, the '
            "Provider is not liable for any non-conformity of the Data with this Agreement; this does not apply to "
            "facts that the Provider knew of and did not disclose to the Recipient.",
            "5. The Recipient uses the Data at its own judgement and responsibility. The checks carried out on the "
            "Market before listing do not replace the Provider's warranties, and the Operator gives no warranty "
            "whatsoever in respect of the Data.",
        ),
    },
    parameters=("warranties",),
    negotiable=True,
)

_LIABILITY = Clause(
    code="liability",
    number=8,
    title={"ja": "損害賠償", "en": "Liability"},
    text={
        "ja": _text(
            "1. 各当事者は、本契約に違反したことにより相手方に損害を与えた場合、"
            "相手方に現実に生じた通常かつ直接の損害を賠償する責任を負う。",
            "2. 本契約に関して一方当事者が相手方に対して負う損害賠償責任の総額の上限は、次のとおりとする。\n"
            "上限：{liability_cap_label}",
            "3. 前項において、「支払済み対価の総額」とは、"
            "損害賠償の請求の原因となる事由が生じた時までに利用者が本契約に基づき現実に支払った対価の総額をいい、"
            "「定額」とは、前項に記載された金額をいい、「上限なし」とは、前項による上限を設けないことをいう。",
            "4. 第1項における損害の範囲の限定及び第2項の上限は、"
            "損害賠償責任を負う当事者に故意又は重大な過失がある場合には適用しない。第2項の上限は、"
            "利用者の対価の支払義務には適用しない。",
            "5. 本データの利用に関して第三者との間で紛争が生じた場合、各当事者は、遅滞なく相手方に通知し、"
            "その解決に協力する。",
        ),
        "en": _text(
            "1. Each party that causes damage to the other party by breaching this Agreement is liable to compensate "
            "the ordinary and direct damage actually incurred by the other party.",
            "2. The aggregate liability of either party to the other in connection with this Agreement is capped as "
            "follows:\nCap: {liability_cap_label}",
            '3. In the preceding paragraph, "Total fees paid" means the total fees actually paid by the Recipient '
            'under this Agreement up to the time when the event giving rise to the claim occurred; "Fixed amount" '
            'means the amount stated in the preceding paragraph; and "No cap" means that no cap applies under the '
            "preceding paragraph.",
            "4. The limitation of the scope of damage in paragraph 1 and the cap in paragraph 2 do not apply where "
            "the liable party acted with intent or gross negligence. The cap in paragraph 2 does not apply to the "
            "Recipient's obligation to pay the fees.",
            "5. If a dispute with a third party arises in connection with the use of the Data, each party shall "
            "notify the other without delay and cooperate in resolving it.",
        ),
    },
    parameters=("liability_cap",),
    negotiable=True,
    survives=True,
)

_DATA_MANAGEMENT = Clause(
    code="data_management",
    number=9,
    title={"ja": "本データの管理", "en": "Management of the Data"},
    text={
        "ja": _text(
            "1. 利用者は、本データ（本データを含み、又は本データを復元することができる派生データを含む。"
            "以下本条において同じ。）を、善良な管理者の注意をもって、他の情報と区別して管理する。",
            "2. 利用者は、本データの性質（匿名加工情報であるか否か、並びにその量及び機密性を含む。）に応じて、"
            "本データの漏えい、滅失、毀損及び不正アクセスを防止するために必要かつ適切な組織的、人的、"
            "物理的及び技術的な安全管理措置を講ずる。この措置には、"
            "本データへのアクセス権限を本目的の遂行に必要な役員及び従業員に限ること、"
            "アクセスの記録を取得し保存すること、"
            "並びに保存時及び通信時に適切な暗号化その他の保護措置を講ずることを含む。",
            "3. 利用者は、本目的の達成に必要な範囲を超えて本データを複製してはならない。",
            "4. 提供者は、利用者に対し、本データの管理状況について書面による報告を求めることができる。利用者は、"
            "当該求めを受けた日から14日以内に報告する。",
            "5. 提供者は、利用者による本契約の遵守状況を確認するために合理的に必要な場合、"
            "14日前までに書面で通知した上で、自ら又は秘密保持義務を負う第三者により、利用者の通常の営業時間内に、"
            "利用者の業務に不当な支障を及ぼさない範囲で、書面、リモート又は実地による監査を行うことができる。監査は、"
            "「事故発生時の対応」の条に定める事故が発生した場合を除き、1年に1回を限度とする。",
            "6. 監査の費用は、提供者の負担とする。ただし、監査の結果、利用者による本契約の重大な違反が判明した場合、"
            "利用者は、当該監査に要した合理的な費用を負担する。",
            "7. 報告又は監査により本契約に違反する取扱いが判明した場合、利用者は、遅滞なく是正措置を講じ、"
            "その内容を提供者に報告する。",
        ),
        "en": _text(
            "1. The Recipient shall manage the Data (including Derived Data that contains the Data or from which the "
            "Data can be restored; the same applies throughout this Article) with the care of a prudent manager, "
            "segregated from other information.",
            "2. The Recipient shall take organisational, personnel, physical and technical security measures that are "
            "necessary and appropriate, in view of the nature of the Data (including whether it is Anonymously "
            "Processed Information, and its volume and sensitivity), to prevent leakage, loss, damage of and "
            "unauthorised access to the Data. These measures include restricting access to the Data to those officers "
            "and employees who need it to pursue the Purpose, recording and keeping logs of access, and applying "
            "appropriate encryption or other protection to the Data at rest and in transit.",
            "3. The Recipient shall not copy the Data beyond what is necessary to achieve the Purpose.",
            "4. The Provider may request the Recipient to report in writing on how the Data is managed. The Recipient "
            "shall report within 14 days after receiving the request.",
            "5. Where reasonably necessary to verify the Recipient's compliance with this Agreement, the Provider "
            "may, on at least 14 days' notice in writing, audit the Recipient by documents, remotely or on site, "
            "itself or through a third party bound by confidentiality, during the Recipient's normal business hours "
            "and without unreasonably disrupting its business. Audits are limited to once a year, except after an "
            'incident as defined in the Article "Incidents".',
            "6. The Provider bears the cost of an audit; if the audit reveals a material breach of this Agreement by "
            "the Recipient, the Recipient bears the reasonable cost of that audit.",
            "7. If a report or an audit reveals handling of the Data in breach of this Agreement, the Recipient shall "
            "take corrective measures without delay and report them to the Provider.",
        ),
    },
    parameters=(),
    negotiable=False,
)

_INCIDENT = Clause(
    code="incident",
    number=10,
    title={"ja": "事故発生時の対応", "en": "Incidents"},
    text={
        "ja": _text(
            "1. 利用者は、本データの漏えい、滅失、毀損若しくは不正アクセス、"
            "本目的外の利用その他本契約に違反する本データの取扱い（これらのおそれがある場合を含む。以下「事故」"
            "という。）が発生したことを知ったときは、遅滞なく、遅くとも知った時から72時間以内に、提供者に通知する。"
            "当該通知には、その時点で判明している事故の内容、発生日時、影響の範囲、"
            "原因及び講じた措置を含めるものとし、その後に判明した事項は随時追加して通知する。",
            "2. 利用者は、事故が発生したときは、直ちに被害の拡大を防止するために必要な措置を講じ、事故の原因を調査し、"
            "再発防止策を策定して実施し、その内容を提供者に報告する。",
            "3. 提供者は、事故の調査及び対応に協力し、利用者に対して必要な措置を求めることができる。提供者は、"
            "事故が解決するまでの間、本データの提供を停止することができる（本マーケットを通じた提供の場合には、"
            "本マーケット規約に従って運営者に停止を求めることを含む。）。",
            "4. 事故が匿名加工情報に係るものである場合、両当事者は、"
            "識別行為の防止に必要な措置並びに個人情報保護委員会その他の関係当局への報告及び公表の要否について誠実に協"
            "議し、相互に協力する。",
            "5. 提供者は、本データに個人情報、"
            "有害なプログラム又はコードその他提供すべきでないものが含まれていることを知ったときは、"
            "遅滞なく利用者に通知する。この場合、利用者は、直ちに当該部分の利用を停止し、"
            "提供者の指示に従ってこれを削除し、又は差し替える。",
            "6. 事故に関して生じた費用及び損害は、その原因について責めに帰すべき事由のある当事者が、「損害賠償」"
            "の条に従って負担する。",
        ),
        "en": _text(
            "1. The Recipient shall notify the Provider without delay, and at the latest within 72 hours after "
            "becoming aware of it, of any leakage, loss or damage of or unauthorised access to the Data, any use of "
            "the Data outside the Purpose or any other handling of the Data in breach of this Agreement (including a "
            'suspicion of any of these; an "incident"). The notice shall state what is known at the time about the '
            "nature of the incident, when it occurred, its extent, its cause and the measures taken; matters learned "
            "later shall be notified as they become known.",
            "2. When an incident occurs, the Recipient shall immediately take the measures necessary to prevent "
            "further damage, investigate the cause of the incident, devise and implement measures to prevent its "
            "recurrence, and report them to the Provider.",
            "3. The Provider shall cooperate in the investigation and handling of the incident and may require the "
            "Recipient to take necessary measures. Until the incident is resolved, the Provider may suspend delivery "
            "of the Data (for delivery through the Market, including by asking the Operator to suspend it in "
            "accordance with the Market Rules).",
            "4. Where an incident concerns Anonymously Processed Information, the parties shall consult each other in "
            "good faith and cooperate on the measures needed to prevent identification of individuals and on whether "
            "to report to the Personal Information Protection Commission or other authorities or to make the incident "
            "public.",
            "5. If the Provider learns that the Data contains personal information, a harmful program or code, or "
            "anything else that should not have been provided, it shall notify the Recipient without delay. The "
            "Recipient shall then immediately stop using the affected part and delete or replace it as the Provider "
            "instructs.",
            '6. Costs and damage arising from an incident are borne, in accordance with the Article "Liability", by '
            "the party responsible for its cause.",
        ),
    },
    parameters=(),
    negotiable=False,
)

_CONFIDENTIALITY = Clause(
    code="confidentiality",
    number=11,
    title={"ja": "秘密保持", "en": "Confidentiality"},
    text={
        "ja": _text(
            "1. 本契約において「秘密情報」とは、本契約に関連して一方当事者（以下「開示者」という。）"
            "が相手方（以下「受領者」という。）に開示した技術上、営業上その他の一切の情報であって、"
            "開示の際に秘密である旨が明示されたもの、又はその性質上秘密として取り扱われるべきものをいう。"
            "本データ（本マーケットにおいて公開された説明及びサンプルを除く。）は、提供者の秘密情報とする。",
            "2. 前項にかかわらず、次の各号のいずれかに該当する情報は、秘密情報に含まれない。\n"
            "(1) 開示の時点で既に公知であった情報\n"
            "(2) 開示の後に受領者の責めに帰すべき事由によらずに公知となった情報\n"
            "(3) 開示の時点で既に受領者が正当に保有していた情報\n"
            "(4) 正当な権限を有する第三者から秘密保持義務を負うことなく適法に取得した情報\n"
            "(5) 秘密情報によらずに受領者が独自に開発した情報",
            "3. 受領者は、開示者の事前の書面による承諾なく、秘密情報を第三者に開示し、又は漏えいしてはならず、"
            "本契約の履行及び本目的以外の目的に使用してはならない。ただし、"
            "本契約の履行又は本目的の遂行のために秘密情報を知る必要のある自己の役員及び従業員、"
            "並びに法令上守秘義務を負う弁護士、公認会計士、税理士その他の専門家に対し、"
            "本条と同等の義務を負わせた上で開示する場合は、この限りでない。",
            "4. 受領者は、法令又は裁判所若しくは行政機関の命令により秘密情報の開示を求められた場合、"
            "法令上許される限り事前に開示者に通知した上で、必要最小限の範囲で開示することができる。",
            "5. 本条の義務は、有効期間中及び本契約の終了後{confidentiality_years}年間存続する。ただし、"
            "本データが匿名加工情報である場合における「再識別の禁止」の条に定める義務その他本契約に別段の定めがある義務は、"
            "その定めによる。",
        ),
        "en": _text(
            '1. In this Agreement, "Confidential Information" means all technical, business and other information '
            'disclosed in connection with this Agreement by one party (the "Discloser") to the other (the "Receiving '
            'Party") that is marked as confidential when disclosed or that by its nature ought to be treated as '
            "confidential. The Data (other than the description and the sample published on the Market) is "
            "Confidential Information of the Provider.",
            "2. Notwithstanding the preceding paragraph, Confidential Information does not include information that:\n"
            "(1) was already public when disclosed;\n"
            "(2) became public after disclosure through no fault of the Receiving Party;\n"
            "(3) was already lawfully held by the Receiving Party when disclosed;\n"
            "(4) was lawfully obtained from a third party entitled to provide it, without any obligation of "
            "confidentiality; or\n"
            "(5) was independently developed by the Receiving Party without use of Confidential Information.",
            "3. The Receiving Party shall not, without the Discloser's prior consent in writing, disclose or leak "
            "Confidential Information to any third party, nor use it for any purpose other than performing this "
            "Agreement and pursuing the Purpose. It may, however, disclose Confidential Information to its officers "
            "and employees who need to know it to perform this Agreement or pursue the Purpose, and to lawyers, "
            "certified public accountants, tax accountants and other professionals bound by a statutory duty of "
            "confidentiality, after imposing on them obligations equivalent to those in this Article.",
            "4. Where disclosure of Confidential Information is required by law or by an order of a court or an "
            "administrative authority, the Receiving Party may disclose it to the minimum extent required, after "
            "notifying the Discloser in advance so far as the law permits.",
            "5. The obligations in this Article continue during the Term and for {confidentiality_years} years after "
            'the end of this Agreement. The obligations in the Article "Prohibition of Re-identification" (where the '
            "Data is Anonymously Processed Information), and any other obligation for which this Agreement provides "
            "otherwise, are governed by their own provisions.",
        ),
    },
    parameters=("confidentiality_years",),
    negotiable=True,
    survives=True,
)

_DERIVED_DATA = Clause(
    code="derived_data",
    number=12,
    title={"ja": "派生データ", "en": "Derived Data"},
    text={
        "ja": _text(
            "1. 派生データの取扱いは、次のとおりとする。\n"
            "(1) 派生データに関する権利の帰属：{derived_rights_label}\n"
            "(2) 提供者による派生データへのアクセス：{derived_access_label}",
            "2. 本契約において「派生データに関する権利」とは、"
            "派生データについて知的財産権が成立する場合は当該知的財産権をいい、成立しない場合は派生データを利用し、"
            "第三者に利用させ、及び提供する権限をいう。",
            "3. 派生データに関する権利が「利用者に帰属」とされた場合、利用者は、本契約の定めに従う限り、"
            "派生データを自由に利用することができる。「提供者に帰属」とされた場合、利用者は、有効期間中、"
            "本目的の範囲内で派生データを無償で利用することができる。「提供者と利用者の共有」とされた場合、"
            "その持分は均等とし、各当事者は、相手方の同意を得ることなく派生データを自ら利用することができるが、"
            "これを第三者に提供し、又は利用許諾するには、相手方の事前の書面による承諾を得なければならない。",
            "4. 提供者による派生データへのアクセスが「無償」とされた場合、利用者は、提供者の求めに応じ、"
            "派生データ（利用者の秘密情報であって派生データと分離することができるものを除く。）を、"
            "合理的な形式により無償で提供者に提供する。「有償」とされた場合、利用者は、提供者の求めに応じ、"
            "両当事者が別途協議して定める合理的な対価及び条件により派生データを提供者に提供する。「なし」"
            "とされた場合、利用者は、派生データを提供者に提供する義務を負わない。本項は、"
            "派生データに関する権利の帰属にかかわらず適用される。提供者は、"
            "本項により提供を受けた派生データを自らの事業のために利用することができるが、"
            "利用者の事前の書面による承諾なくこれを第三者に提供してはならない。",
            "5. 派生データのうち、本データの全部若しくは一部を含み、又は本データを復元することができるものは、"
            "本契約の適用においては本データとみなす。",
            "6. 利用者は、本データを復元することができない派生データに限り、"
            "本契約により許諾された範囲（本目的及び利用地域を含む。ただし、加工が「制限なく可」とされた場合、"
            "本目的による制限を受けない。）においてのみ、これを第三者に提供することができる。この場合においても、"
            "第3項の定めに従う。",
            "7. 本データが匿名加工情報である場合、利用者は、"
            "本データの作成に用いられた個人情報に係る本人を識別することができる派生データを生成し、"
            "又は提供してはならない。派生データが匿名加工情報に該当する場合、利用者は、"
            "これを第三者に提供するに当たり、個人情報保護法に定める公表及び明示その他の義務を履行する。",
        ),
        "en": _text(
            "1. Derived Data is treated as follows:\n"
            "(1) Rights in Derived Data: {derived_rights_label}\n"
            "(2) Provider's access to Derived Data: {derived_access_label}",
            '2. In this Agreement, "rights in Derived Data" means any intellectual property right subsisting in '
            "Derived Data or, where none subsists, the authority to use Derived Data, to let others use it and to "
            "provide it.",
            '3. Where rights in Derived Data are "Vested in the Recipient", the Recipient may use Derived Data freely,'
            ' subject to this Agreement. Where they are "Vested in the Provider", the Recipient may use Derived Data '
            'free of charge during the Term within the Purpose. Where they are "Shared by the Provider and the '
            "Recipient\", the shares are equal, and each party may use Derived Data itself without the other's "
            "consent, but may provide it to a third party or license it only with the other's prior consent in "
            "writing.",
            '4. Where the Provider\'s access to Derived Data is "Free of charge", the Recipient shall, at the '
            "Provider's request, provide Derived Data (excluding Confidential Information of the Recipient that can "
            'be separated from it) to the Provider free of charge in a reasonable format. Where it is "For a fee", '
            "the Recipient shall, at the Provider's request, provide Derived Data to the Provider for a reasonable "
            'fee and on terms to be agreed separately by the parties. Where it is "None", the Recipient has no '
            "obligation to provide Derived Data to the Provider. This paragraph applies whoever holds the rights in "
            "Derived Data. The Provider may use Derived Data received under this paragraph for its own business, but "
            "shall not provide it to any third party without the Recipient's prior consent in writing.",
            "5. Derived Data that contains all or part of the Data, or from which the Data can be restored, is deemed "
            "to be the Data for the purposes of this Agreement.",
            "6. The Recipient may provide to third parties only Derived Data from which the Data cannot be restored, "
            "and only within the scope licensed by this Agreement (including the Purpose and the Territory, except "
            'that where Processing is "Permitted without restriction" the Purpose does not restrict it). Paragraph 3 '
            "applies in this case as well.",
            "7. Where the Data is Anonymously Processed Information, the Recipient shall not generate or provide "
            "Derived Data that makes it possible to identify any individual whose personal information was used to "
            "produce the Data. Where Derived Data is itself Anonymously Processed Information, the Recipient shall, "
            "when providing it to a third party, fulfil the publication, notice and other obligations under the APPI.",
        ),
    },
    parameters=("derived_data",),
    negotiable=True,
    survives=True,
)

_PERSONAL_INFORMATION = Clause(
    code="personal_information",
    number=13,
    title={"ja": "個人情報の取扱い", "en": "Personal Information"},
    text={
        "ja": _text(
            "1. 提供者は、本データ（匿名加工情報として提供されるものを除く。）に、"
            "個人情報保護法第2条第1項に定める個人情報が含まれていないことを保証する。",
            "2. 本データが匿名加工情報として提供される場合、提供者は、"
            "本データが個人情報保護法及び個人情報保護委員会規則で定める基準に従って適正に加工された匿名加工情報である"
            "ことを保証する。この場合における本データの取扱いについては、本条のほか、「匿名加工情報である旨の明示」"
            "の条及び「再識別の禁止」の条の定めによる。",
            "3. 利用者は、本データを個人情報と照合してはならず、"
            "特定の個人を識別する目的で本データを利用してはならない。",
            "4. 各当事者は、本データに個人情報が含まれていること（その疑いがある場合を含む。）を知ったときは、"
            "遅滞なく相手方に通知する。この場合、利用者は、直ちに当該部分の利用を停止し、"
            "提供者の指示に従ってこれを削除し、提供者は、必要に応じて個人情報を含まない本データを改めて提供する。",
            "5. 前項の場合、提供者は、個人情報保護法に基づく自らの義務を履行し、利用者は、これに協力する。",
        ),
        "en": _text(
            "1. The Provider warrants that the Data (other than Data provided as Anonymously Processed Information) "
            "contains no personal information as defined in Article 2(1) of the APPI.",
            "2. Where the Data is provided as Anonymously Processed Information, the Provider warrants that the Data "
            "is Anonymously Processed Information properly produced in accordance with the standards set by the APPI "
            "and the rules of the Personal Information Protection Commission. The handling of such Data is governed, "
            'in addition to this Article, by the Article "Notice of Anonymously Processed Information" and the '
            'Article "Prohibition of Re-identification".',
            "3. The Recipient shall not collate the Data with personal information and shall not use the Data for the "
            "purpose of identifying any specific individual.",
            "4. Each party that learns that the Data contains personal information (or suspects that it does) shall "
            "notify the other party without delay. The Recipient shall then immediately stop using the affected part "
            "and delete it as the Provider instructs, and the Provider shall, where needed, provide the Data again "
            "without the personal information.",
            "5. In the case of the preceding paragraph, the Provider shall fulfil its own obligations under the APPI, "
            "and the Recipient shall cooperate.",
        ),
    },
    parameters=(),
    negotiable=False,
)

_ANONYMIZED_NOTICE = Clause(
    code="anonymized_notice",
    number=14,
    title={"ja": "匿名加工情報である旨の明示", "en": "Notice of Anonymously Processed Information"},
    text={
        "ja": _text(
            "1. 提供者は、個人情報保護法第43条又は第44条の定めに従い、利用者に対し、"
            "本データが匿名加工情報であることを明示する。利用者は、本契約の締結に当たり、"
            "この明示を受けたことを確認する。",
            "2. 提供者は、本データの提供に先立ち、本データに含まれる個人に関する情報の項目及びその提供の方法を、"
            "本マーケットにおける本データの掲載ページにおいて公表している。その内容は、次のとおりである。\n"
            "(1) 個人に関する情報の項目：{personal_info_items}\n"
            "(2) 提供の方法：本マーケットを通じた電磁的方法による提供（「本データの提供」の条に定める方法による。）",
            "3. 本データの作成に当たり講じられた匿名加工の方法の概要は、次のとおりである。この概要には、"
            "本データの作成に用いられた個人情報から削除された記述等及び加工の方法に関する情報のうち、"
            "当該個人情報の復元につながるものは含まれない。\n"
            "匿名加工の方法の概要：{anonymization_method}",
            "4. 利用者は、本データを匿名加工情報として取り扱い、個人情報保護法第46条の定めに従い、"
            "本データの安全管理のために必要かつ適切な措置、"
            "本データの取扱いに関する苦情の処理その他の本データの適正な取扱いを確保するために必要な措置を自ら講じ、"
            "かつ、当該措置の内容を公表するよう努める。",
            "5. 利用者が本契約に基づき許諾された範囲で本データを第三者に提供する場合、利用者は、"
            "個人情報保護法第44条の定めに従い、あらかじめ、"
            "第三者に提供する匿名加工情報に含まれる個人に関する情報の項目及びその提供の方法を公表し、"
            "当該第三者に対して当該情報が匿名加工情報である旨を明示するとともに、当該第三者に「再識別の禁止」"
            "の条に定める義務と同等の義務を課す。",
            "6. 本条及び「再識別の禁止」の条は、本データが匿名加工情報である限り、"
            "本契約の他の条件にかかわらず適用され、両当事者の合意によっても排除されない。",
        ),
        "en": _text(
            "1. In accordance with Article 43 or Article 44 of the APPI, the Provider hereby notifies the Recipient "
            "explicitly that the Data is Anonymously Processed Information. In concluding this Agreement, the "
            "Recipient confirms that it has received this notice.",
            "2. Before providing the Data, the Provider has published, on the Data's page on the Market, the items of "
            "information relating to individuals contained in the Data and the method by which the Data is provided, "
            "as follows:\n"
            "(1) Items of information relating to individuals: {personal_info_items}\n"
            "(2) Method of provision: electronic provision through the Market (by the means set out in the Article "
            '"Delivery of the Data")',
            "3. The anonymisation applied in producing the Data is summarised below. The summary does not include any "
            "of the descriptions etc. deleted from the personal information used to produce the Data, or any "
            "information on the processing method, that could lead to the restoration of that personal information.\n"
            "Summary of the anonymisation method: {anonymization_method}",
            "4. The Recipient shall handle the Data as Anonymously Processed Information and, in accordance with "
            "Article 46 of the APPI, shall endeavour to take itself the measures necessary and appropriate for the "
            "security management of the Data, for handling complaints about the handling of the Data and for "
            "otherwise ensuring the proper handling of the Data, and to publish the content of those measures.",
            "5. Where the Recipient provides the Data to a third party within the scope licensed under this Agreement,"
            " it shall, in accordance with Article 44 of the APPI, publish in advance the items of information "
            "relating to individuals contained in the Anonymously Processed Information to be provided and the method "
            "of provision, explicitly notify the third party that the information is Anonymously Processed "
            'Information, and impose on the third party obligations equivalent to those in the Article "Prohibition '
            'of Re-identification".',
            '6. This Article and the Article "Prohibition of Re-identification" apply, for as long as the Data is '
            "Anonymously Processed Information, regardless of the other terms of this Agreement, and cannot be "
            "excluded even by agreement of the parties.",
        ),
    },
    parameters=(),
    negotiable=False,
    applies_to=frozenset({"anonymized"}),
)

_REIDENTIFICATION_BAN = Clause(
    code="reidentification_ban",
    number=15,
    title={"ja": "再識別の禁止", "en": "Prohibition of Re-identification"},
    text={
        "ja": _text(
            "1. 利用者は、本データを取り扱うに当たっては、"
            "本データの作成に用いられた個人情報に係る本人を識別するために、次の各号に掲げる行為をしてはならず、"
            "これらを試みてもならない。\n"
            "(1) 当該個人情報から削除された記述等若しくは個人識別符号、"
            "又は本データの作成に当たり行われた加工の方法に関する情報を取得すること。\n"
            "(2) 本データを他の情報と照合すること。",
            "2. 前項に定めるほか、利用者は、本データ又は派生データに含まれる情報に係る本人を特定し、"
            "又は推知しようとしてはならず、特定の個人に対する働きかけ（連絡、勧誘、評価又は選別を含む。）"
            "のために本データを利用してはならない。",
            "3. 利用者は、その役員及び従業員、並びに本データの取扱いを委託し、"
            "又は本データ若しくは派生データを提供した第三者に、前2項と同等の義務を遵守させ、"
            "これらの者による違反について、自らの違反と同様に責任を負う。",
            "4. 利用者は、意図せずに特定の個人を識別し得る状態となったことを知ったときは、"
            "直ちにその状態を生じさせた情報の利用を停止し、当該個人を識別する情報を記録し、"
            "又は第三者に開示することなく、遅滞なく提供者に通知し、提供者の指示に従う。",
            "5. 利用者が第1項から第3項までのいずれかに違反した場合、提供者は、何らの催告を要することなく、"
            "直ちに本契約を解除することができる。この場合、利用者は、直ちに本データ及び派生データの利用を停止し、"
            "「契約終了時の本データの削除」の条に従ってこれらを削除し、提供者に生じた損害を賠償する。"
            "支払済みの対価は返還されない。",
            "6. 本条の義務は、本契約の終了後も期間の定めなく存続する。",
        ),
        "en": _text(
            "1. In handling the Data, the Recipient shall not do, or attempt to do, any of the following in order to "
            "identify any individual whose personal information was used to produce the Data:\n"
            "(1) obtain the descriptions etc. or individual identification codes deleted from that personal "
            "information, or information on the processing method used to produce the Data;\n"
            "(2) collate the Data with other information.",
            "2. In addition, the Recipient shall not seek to identify or infer any individual to whom information in "
            "the Data or in Derived Data relates, and shall not use the Data to act towards any specific individual "
            "(including contacting, soliciting, assessing or selecting that individual).",
            "3. The Recipient shall make its officers and employees, and any third party to whom it entrusts the "
            "handling of the Data or provides the Data or Derived Data, comply with obligations equivalent to those "
            "in the preceding two paragraphs, and is liable for any breach by them as for its own.",
            "4. If the Recipient becomes aware that it has unintentionally become able to identify a specific "
            "individual, it shall immediately stop using the information that made this possible, shall not record or "
            "disclose to any third party the information identifying that individual, shall notify the Provider "
            "without delay and shall follow the Provider's instructions.",
            "5. If the Recipient breaches any of paragraphs 1 to 3, the Provider may terminate this Agreement "
            "immediately without any prior demand. In that case the Recipient shall immediately stop using the Data "
            'and Derived Data, delete them in accordance with the Article "Deletion of the Data at the End of the '
            'Agreement" and compensate the Provider for its damage. Fees paid are not refunded.',
            "6. The obligations in this Article survive the end of this Agreement without limit of time.",
        ),
    },
    parameters=(),
    negotiable=False,
    applies_to=frozenset({"anonymized"}),
    survives=True,
)

_TERM_TERMINATION = Clause(
    code="term_termination",
    number=16,
    title={"ja": "有効期間及び解除", "en": "Term and Termination"},
    text={
        "ja": _text(
            "1. 本契約の有効期間は、{valid_from}から{valid_until}までの{duration_days}日間とする。"
            "本契約は更新されない。利用者が有効期間の満了後も本データの利用を希望する場合は、"
            "本マーケットにおいて新たな取引を行う。",
            "2. 各当事者は、相手方が本契約に重大な違反をし、"
            "書面による催告を受けた日から14日以内にこれを是正しない場合、相手方に書面で通知することにより、"
            "本契約を解除することができる。違反の性質上是正することができない場合は、催告を要しない。",
            "3. 各当事者は、相手方が次の各号のいずれかに該当した場合、何らの催告を要することなく、"
            "直ちに本契約を解除することができる。\n"
            "(1) 支払を停止したとき、又は手形若しくは小切手が不渡りとなったとき。\n"
            "(2) 破産手続開始、民事再生手続開始、"
            "会社更生手続開始若しくは特別清算開始の申立て又はこれらに類する外国の手続の申立てがあったとき。\n"
            "(3) 差押え、仮差押え、仮処分又は滞納処分を受け、本契約の履行が困難となったとき。\n"
            "(4) 解散の決議をし、又は事業の全部若しくは重要な一部を第三者に譲渡したとき。\n"
            "(5) 自ら又はその役員が暴力団、暴力団員その他の反社会的勢力に該当し、"
            "又は反社会的勢力と社会的に非難されるべき関係を有することが判明したとき。",
            "4. 本データが匿名加工情報である場合、提供者は、前2項のほか、"
            "「再識別の禁止」の条の定めるところにより本契約を解除することができる。",
            "5. 本契約が終了したときは、利用者に対する利用許諾は将来に向かって効力を失い、"
            "本マーケットにおける利用者の利用権及び発行済みのダウンロード用トークンは無効となる。本契約の解除は、"
            "損害賠償の請求を妨げない。",
            "6. 提供者の責めに帰すべき事由により本契約が解除された場合、提供者は、支払済みの対価のうち、"
            "解除の日の翌日から有効期間の末日までの期間に相当する額を日割計算により利用者に返還する。",
            "7. 提供者が本マーケットにおける本データの掲載を変更し、又は取り下げた場合であっても、本契約は終了せず、"
            "その内容も変更されない。",
        ),
        "en": _text(
            "1. This Agreement is in force for {duration_days} days, from {valid_from} to {valid_until}. It is not "
            "renewed. If the Recipient wishes to use the Data after the Term, it shall enter into a new trade on the "
            "Market.",
            "2. Either party may terminate this Agreement by notice in writing to the other party if the other party "
            "commits a material breach of this Agreement and fails to remedy it within 14 days after receiving a "
            "demand in writing. No demand is needed where the breach by its nature cannot be remedied.",
            "3. Either party may terminate this Agreement immediately, without any prior demand, if the other party:\n"
            "(1) suspends payments, or has a bill or cheque dishonoured;\n"
            "(2) becomes subject to a petition for the commencement of bankruptcy, civil rehabilitation, corporate "
            "reorganisation or special liquidation proceedings, or of similar foreign proceedings;\n"
            "(3) becomes subject to attachment, provisional attachment, provisional disposition or disposition for "
            "failure to pay taxes, making it difficult to perform this Agreement;\n"
            "(4) resolves to dissolve, or transfers all or a material part of its business to a third party; or\n"
            "(5) is found to be, or to have an officer who is, an organised crime group, a member of such a group or "
            "another anti-social force, or to have a socially reprehensible relationship with an anti-social force.",
            "4. Where the Data is Anonymously Processed Information, the Provider may also terminate this Agreement "
            'as provided in the Article "Prohibition of Re-identification".',
            "5. When this Agreement ends, the licence to the Recipient ceases to have effect for the future, and the "
            "Recipient's entitlement on the Market and any download tokens already issued become invalid. Termination "
            "does not preclude a claim for damages.",
            "6. If this Agreement is terminated for a reason attributable to the Provider, the Provider shall refund "
            "to the Recipient, pro rata by days, the part of the fees paid that corresponds to the period from the "
            "day after termination to the last day of the Term.",
            "7. This Agreement neither ends nor changes if the Provider changes or withdraws its listing of the Data "
            "on the Market.",
        ),
    },
    parameters=("duration_days",),
    negotiable=True,
)

_DELETION = Clause(
    code="deletion",
    number=17,
    title={"ja": "契約終了時の本データの削除", "en": "Deletion of the Data at the End of the Agreement"},
    text={
        "ja": _text(
            "1. 本契約が期間満了、解除その他の事由により終了したときは、利用者は、直ちに本データの利用を停止し、"
            "本契約の終了日から30日以内に、本データ、その複製物（バックアップを含む。）"
            "及び本データとみなされる派生データを、復元することができない方法により削除する。本データは、"
            "その性質上返還することができないため、本条による削除をもって返還に代える。",
            "2. 本契約の終了時の取扱いは、次のとおりとする。\n終了時の取扱い：{end_of_term_label}",
            "3. 終了時の取扱いが「削除及び削除証明書の提出」とされた場合、利用者は、削除を完了した日から14日以内に、"
            "削除の対象、方法及び完了日を記載し、利用者の責任者が記名した削除証明書を提供者に提出する。"
            "終了時の取扱いが「削除」とされた場合であっても、提供者は、"
            "削除の完了について利用者に書面による報告を求めることができる。",
            "4. 法令により本データの保存が義務付けられている場合、利用者は、"
            "当該義務の範囲内で本データを保存することができる。この場合、利用者は、"
            "保存の対象及び根拠を提供者に通知し、保存期間中は本契約の定めに従って本データを管理し、"
            "いかなる目的にも利用せず、当該義務が終了した後遅滞なく削除する。",
            "5. 利用者は、削除が完了するまでの間、「本データの管理」の条に従って本データを管理する。",
        ),
        "en": _text(
            "1. When this Agreement ends, whether by expiry of the Term, termination or otherwise, the Recipient "
            "shall immediately stop using the Data and, within 30 days after the end of this Agreement, delete the "
            "Data, all copies of it (including backups) and Derived Data deemed to be the Data, by a method that "
            "makes them unrecoverable. As the Data by its nature cannot be returned, deletion under this Article "
            "takes the place of its return.",
            "2. At the end of this Agreement, the following applies:\nAt the end of the term: {end_of_term_label}",
            '3. Where "Deletion with a certificate of deletion" applies, the Recipient shall, within 14 days after '
            "completing the deletion, submit to the Provider a certificate of deletion stating what was deleted, how "
            'and when, bearing the name of the Recipient\'s responsible officer. Where "Deletion" applies, the '
            "Provider may still request the Recipient to report in writing on the completion of the deletion.",
            "4. Where the law requires the Recipient to retain the Data, the Recipient may retain it to the extent of "
            "that requirement. It shall then notify the Provider of what it retains and on what legal basis, manage "
            "the retained Data in accordance with this Agreement, not use it for any purpose, and delete it without "
            "delay once the requirement ends.",
            "5. Until the deletion is complete, the Recipient shall manage the Data in accordance with the Article "
            '"Management of the Data".',
        ),
    },
    parameters=("end_of_term",),
    negotiable=True,
    survives=True,
)

_SURVIVAL = Clause(
    code="survival",
    number=18,
    title={"ja": "存続条項", "en": "Survival"},
    text={
        "ja": _text(
            "1. 本契約が終了した場合であっても、次の各号に掲げる定めは、なお効力を有する。\n"
            "(1) 「損害賠償」の条\n"
            "(2) 「秘密保持」の条（同条に定める期間に限る。）\n"
            "(3) 「派生データ」の条\n"
            "(4) 「再識別の禁止」の条（本データが匿名加工情報である場合に限る。期間の定めなく存続する。）\n"
            "(5) 「契約終了時の本データの削除」の条（削除が完了するまでの間に限る。）\n"
            "(6) 本条\n"
            "(7) 「準拠法及び紛争解決」の条",
            "2. 前項に定めるほか、本契約の終了前に生じた権利義務（支払済みの対価に関するものを含む。）"
            "及びその性質上本契約の終了後も存続すべき定めは、本契約の終了によって影響を受けない。",
        ),
        "en": _text(
            "1. The following provisions remain in force after this Agreement ends:\n"
            '(1) the Article "Liability";\n'
            '(2) the Article "Confidentiality" (for the period set out in it);\n'
            '(3) the Article "Derived Data";\n'
            '(4) the Article "Prohibition of Re-identification" (where the Data is Anonymously Processed Information; '
            "without limit of time);\n"
            '(5) the Article "Deletion of the Data at the End of the Agreement" (until the deletion is complete);\n'
            "(6) this Article; and\n"
            '(7) the Article "Governing Law and Dispute Resolution".',
            "2. In addition, rights and obligations that arose before the end of this Agreement (including those "
            "concerning fees paid), and provisions that by their nature should survive, are not affected by the end "
            "of this Agreement.",
        ),
    },
    parameters=(),
    negotiable=False,
    survives=True,
)

_GOVERNING_LAW_FORUM = Clause(
    code="governing_law_forum",
    number=19,
    title={"ja": "準拠法及び紛争解決", "en": "Governing Law and Dispute Resolution"},
    text={
        "ja": _text(
            "1. 本契約の準拠法は次のとおりとし、本契約は同法に従って解釈される。\n準拠法：{governing_law_label}",
            "2. 本契約に定めのない事項又は本契約の解釈について疑義が生じた事項については、"
            "両当事者が誠実に協議して解決する。",
            "3. 本契約に起因し、又は関連する一切の紛争は、次の機関において専属的に解決する。"
            "当該機関が裁判所である場合は、これを第一審の専属的合意管轄裁判所とし、仲裁機関である場合は、"
            "その仲裁規則に従い、仲裁により最終的に解決する。\n"
            "紛争解決機関：{forum}",
            "4. 本契約は、日本語及び英語により作成される。両者の間に齟齬がある場合は、日本語の本文が優先する。",
        ),
        "en": _text(
            "1. This Agreement is governed by and construed in accordance with the following law:\nGoverning law: "
            "{governing_law_label}",
            "2. Matters not provided for in this Agreement, and doubts about its interpretation, shall be resolved by "
            "the parties through consultation in good faith.",
            "3. All disputes arising out of or in connection with this Agreement shall be resolved exclusively by the "
            "following body. Where it is a court, it has exclusive jurisdiction at first instance by agreement of the "
            "parties; where it is an arbitral institution, the dispute shall be finally settled by arbitration under "
            "its rules.\n"
            "Forum: {forum}",
            "4. This Agreement is made in Japanese and English. In case of any discrepancy, the Japanese text "
            "prevails.",
        ),
    },
    parameters=("governing_law", "forum"),
    negotiable=True,
    survives=True,
)

CLAUSES: tuple[Clause, ...] = (
    _DEFINITIONS,
    _DELIVERY,
    _LICENSE,
    _FEES,
    _SUBSCRIPTION,
    _LIVE_STREAM,
    _WARRANTIES,
    _LIABILITY,
    _DATA_MANAGEMENT,
    _INCIDENT,
    _CONFIDENTIALITY,
    _DERIVED_DATA,
    _PERSONAL_INFORMATION,
    _ANONYMIZED_NOTICE,
    _REIDENTIFICATION_BAN,
    _TERM_TERMINATION,
    _DELETION,
    _SURVIVAL,
    _GOVERNING_LAW_FORUM,
)
CLAUSES_BY_CODE: Mapping[str, Clause] = {clause.code: clause for clause in CLAUSES}

# --- labels and help -------------------------------------------------------------------------------------

_CONSENT_LABELS = {
    "prohibited": {"ja": "禁止", "en": "Prohibited"},
    "with_consent": {
        "ja": "提供者の事前の書面による承諾がある場合に限り可",
        "en": "Permitted with the Provider's prior written consent",
    },
    "permitted": {"ja": "許可", "en": "Permitted"},
}

# VALUE_LABELS[key][value][lang]. Keys: top-level enum terms by name, nested ones by dotted path, the warranty
# levels under "warranty_level" and the warranty items (the keys of "warranties") under "warranty_item".
# The clause texts quote these labels (「…」 / "…") where they explain what each value means.
VALUE_LABELS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "processing": {
        "none": {"ja": "不可", "en": "Not permitted"},
        "within_purpose": {"ja": "本目的の範囲内で可", "en": "Permitted within the Purpose"},
        "any": {"ja": "制限なく可", "en": "Permitted without restriction"},
    },
    "license_type": {
        "non_exclusive": {"ja": "非独占的", "en": "Non-exclusive"},
        "exclusive": {"ja": "独占的", "en": "Exclusive"},
    },
    "third_party_provision": _CONSENT_LABELS,
    "sublicense": _CONSENT_LABELS,
    "derived_data.rights": {
        "recipient": {"ja": "利用者に帰属", "en": "Vested in the Recipient"},
        "provider": {"ja": "提供者に帰属", "en": "Vested in the Provider"},
        "joint": {"ja": "提供者と利用者の共有", "en": "Shared by the Provider and the Recipient"},
    },
    "derived_data.provider_access": {
        "none": {"ja": "なし", "en": "None"},
        "free": {"ja": "無償", "en": "Free of charge"},
        "paid": {"ja": "有償", "en": "For a fee"},
    },
    "warranty_level": {
        "warranted": {"ja": "保証する", "en": "Warranted"},
        "disclaimed": {"ja": "保証しない", "en": "Disclaimed"},
        "best_efforts": {"ja": "努力義務", "en": "Best efforts"},
    },
    "warranty_item": {
        "lawful_acquisition": {"ja": "適法な取得", "en": "Lawful acquisition"},
        "accuracy": {"ja": "正確性", "en": "Accuracy"},
        "completeness": {"ja": "完全性", "en": "Completeness"},
        "fitness": {"ja": "目的適合性", "en": "Fitness for purpose"},
        "non_infringement": {"ja": "第三者の権利の非侵害", "en": "Non-infringement"},
        "safety": {"ja": "安全性", "en": "Safety"},
    },
    "liability_cap.basis": {
        "none": {"ja": "上限なし", "en": "No cap"},
        "fees_paid": {"ja": "支払済み対価の総額", "en": "Total fees paid"},
        "fixed": {"ja": "定額", "en": "Fixed amount"},
    },
    "end_of_term": {
        "delete": {"ja": "削除", "en": "Deletion"},
        "delete_with_certificate": {"ja": "削除及び削除証明書の提出", "en": "Deletion with a certificate of deletion"},
    },
}

TERM_LABELS: Mapping[str, Mapping[str, str]] = {
    "purpose": {"ja": "利用目的", "en": "Purpose of use"},
    "processing": {"ja": "加工", "en": "Processing"},
    "license_type": {"ja": "許諾の種類", "en": "Type of licence"},
    "third_party_provision": {"ja": "第三者提供", "en": "Provision to third parties"},
    "sublicense": {"ja": "再許諾", "en": "Sublicensing"},
    "derived_data": {"ja": "派生データ", "en": "Derived data"},
    "territory": {"ja": "利用地域", "en": "Territory"},
    "duration_days": {"ja": "有効期間（日数）", "en": "Term (days)"},
    "warranties": {"ja": "保証", "en": "Warranties"},
    "liability_cap": {"ja": "損害賠償の上限", "en": "Liability cap"},
    "confidentiality_years": {"ja": "秘密保持期間（終了後の年数）", "en": "Confidentiality (years after the end)"},
    "end_of_term": {"ja": "終了時の取扱い", "en": "At the end of the term"},
    "governing_law": {"ja": "準拠法", "en": "Governing law"},
    "forum": {"ja": "紛争解決機関", "en": "Forum"},
    "subscription": {"ja": "定期提供", "en": "Subscription"},
}

# Labels of the fields inside the object-valued terms, for forms.
SUBTERM_LABELS: Mapping[str, Mapping[str, str]] = {
    "derived_data.rights": {"ja": "派生データに関する権利の帰属", "en": "Rights in derived data"},
    "derived_data.provider_access": {
        "ja": "提供者による派生データへのアクセス",
        "en": "Provider's access to derived data",
    },
    "liability_cap.basis": {"ja": "上限の基準", "en": "Basis of the cap"},
    "liability_cap.amount": {"ja": "上限額", "en": "Amount of the cap"},
    "subscription.period_days": {"ja": "提供期間（日数）", "en": "Period (days)"},
    "subscription.term_periods": {"ja": "提供期間の回数", "en": "Term (periods)"},
    "subscription.min_versions_per_period": {
        "ja": "1提供期間当たりの新しいバージョン数（以上）",
        "en": "New versions per period (at least)",
    },
    "subscription.stream": {"ja": "ライブストリーム", "en": "Live stream"},
    "subscription.min_messages_per_period": {
        "ja": "1提供期間当たりのメッセージ数（以上）",
        "en": "Messages per period (at least)",
    },
}

TERM_HELP: Mapping[str, Mapping[str, str]] = {
    "purpose": {
        "ja": (
            "利用者が本データを使ってよい目的です。目的外の利用は許諾されないため、具体的に書くほど「目的外利用」"
            "をめぐる争いを防げます。標準は、利用者自身の製品・サービスのための社内での研究、分析及び開発です。"
        ),
        "en": (
            "What the buyer may use the data for; any other use is not licensed, so the more concrete the purpose, "
            "the fewer disputes about purpose creep. The default is internal research, analysis and development of "
            "the buyer's own products and services."
        ),
    },
    "processing": {
        "ja": (
            "利用者が本データを改変、集計、分析して新しいデータを作ってよいかを決めます。標準は「本目的の範囲内で可」"
            "で、分析に必要な加工を認めつつ、目的を超えた加工を防ぎます。"
        ),
        "en": (
            "Whether the buyer may modify, aggregate or analyse the data into new data. The default allows processing "
            "within the purpose, which covers normal analysis while keeping processing tied to the licensed purpose."
        ),
    },
    "license_type": {
        "ja": (
            "非独占的であれば、同じデータを複数の買い手に販売できます。独占的にすると買い手は1社（ライセンス数1）"
            "に限られ、提供者も有効期間中は他社に提供できなくなるため、標準は非独占的です。"
        ),
        "en": (
            "A non-exclusive licence lets you sell the same data to many buyers. An exclusive licence limits the "
            "offering to one buyer (one seat) and stops you licensing the data to anyone else during the term, so the "
            "default is non-exclusive."
        ),
    },
    "third_party_provision": {
        "ja": (
            "利用者が本データを他社に渡してよいかです。データは一度渡ると回収できないため、標準は「禁止」で、"
            "必要な場合は提供者の事前承諾を条件とすることができます。"
        ),
        "en": (
            "Whether the buyer may pass the data on to other companies. Data cannot be recalled once passed on, so "
            "the default is prohibited; you can instead require your prior written consent."
        ),
    },
    "sublicense": {
        "ja": (
            "利用者がグループ会社や顧客などに利用権を再許諾してよいかです。"
            "第三者提供と同じく提供者の管理が及ばなくなるため、標準は「禁止」です。"
        ),
        "en": (
            "Whether the buyer may grant sublicences, for example to group companies or customers. Like provision to "
            "third parties it takes the data out of your control, so the default is prohibited."
        ),
    },
    "derived_data": {
        "ja": (
            "加工や分析の結果（統計、分析結果、学習済みモデル等）の権利が誰に属し、"
            "提供者がそれを入手できるかを定めます。契約で最も争いになりやすい条項です。標準は、"
            "加工の労力とリスクを負う利用者に権利を帰属させ、提供者のアクセスは「なし」とする形です。"
        ),
        "en": (
            "Who holds the rights in the results of processing (statistics, analysis results, trained models) and "
            "whether you may obtain them; this is the most disputed clause in data contracts. The default gives the "
            "rights to the buyer, who does the work and bears the risk of processing, with no access for the provider."
        ),
    },
    "territory": {
        "ja": (
            "本データを利用し、保存してよい国です。利用地域外の国の買い手は購入できません。標準は日本のみで、"
            "越境移転に伴う法規制のリスクを抑えます。"
        ),
        "en": (
            "The countries where the data may be used and stored; buyers from other countries cannot buy. The default "
            "is Japan only, which keeps the risks of cross-border transfer low."
        ),
    },
    "duration_days": {
        "ja": (
            "契約の有効期間（日数）です。期間が満了すると利用者は本データを削除する必要があり、"
            "継続して利用するには新たな取引が必要です。標準は365日です。"
        ),
        "en": (
            "How long the licence lasts, in days. When it ends the buyer must delete the data and needs a new trade "
            "to keep using it. The default is 365 days."
        ),
    },
    "warranties": {
        "ja": (
            "適法な取得、正確性、完全性、目的適合性、第三者の権利の非侵害、安全性のそれぞれについて、「保証する」"
            "「努力義務」「保証しない」から選びます。データの品質は提供者にも完全には確認できないため、"
            "標準は適法な取得を保証し、品質は保証しない形です。"
        ),
        "en": (
            "For lawful acquisition, accuracy, completeness, fitness for purpose, non-infringement and safety (no "
            "malware), choose warranted, best efforts or disclaimed. Data quality cannot be fully checked even by its "
            "provider, so the default warrants lawful acquisition and disclaims quality."
        ),
    },
    "liability_cap": {
        "ja": (
            "損害賠償額の上限です。故意又は重大な過失による場合には上限は適用されません。標準は支払済み対価の総額で、"
            "取引の規模に見合わない責任を避けつつ、買い手にも相応の救済を残します。"
        ),
        "en": (
            "The cap on damages; it never applies to intent or gross negligence. The default caps liability at the "
            "fees paid, which avoids liability out of proportion to the trade while leaving the buyer a fair remedy."
        ),
    },
    "confidentiality_years": {
        "ja": (
            "契約終了後に秘密保持義務が続く年数です。標準は3年です。匿名加工情報の再識別の禁止は、"
            "この年数にかかわらず期間の定めなく続きます。"
        ),
        "en": (
            "How many years confidentiality lasts after the contract ends. The default is 3 years. The ban on "
            "re-identifying anonymised data lasts without limit, whatever this says."
        ),
    },
    "end_of_term": {
        "ja": (
            "データは返還できないため、契約終了時には削除となります。削除証明書の提出を求めると、利用者は削除の対象、"
            "方法及び日付を記載した証明書を提出します。標準は削除のみです。"
        ),
        "en": (
            "Data cannot be returned, so at the end of the contract the buyer deletes it. If you ask for a "
            "certificate, the buyer also submits a certificate stating what was deleted, how and when. The default is "
            "deletion only."
        ),
    },
    "governing_law": {
        "ja": (
            "契約の解釈に適用される法律です。標準は日本法で、"
            "本マーケットが前提とする個人情報保護法その他の日本の法令と一致します。"
        ),
        "en": (
            "The law that governs the contract. The default is Japanese law, consistent with the APPI and the other "
            "Japanese laws the market is built on."
        ),
    },
    "forum": {
        "ja": (
            "紛争を解決する裁判所又は仲裁機関です。一覧の地方裁判所（第一審の専属的合意管轄裁判所）又は"
            "一般社団法人日本商事仲裁協会による仲裁から選びます。標準は東京地方裁判所を第一審の専属的合意管轄裁判所とするものです。"
        ),
        "en": (
            "The court or arbitral institution that resolves disputes: one of the district courts listed, as the court "
            "of first instance, or arbitration at the Japan Commercial Arbitration Association. The default is the "
            "Tokyo District Court, with exclusive jurisdiction at first instance."
        ),
    },
    "subscription": {
        "ja": (
            "本データを期間ごとに継続して提供し、対価を期間ごとに受け取る形です。提供期間、回数及び提供義務量は出品の種類"
            "とともに設定し、提供義務量を満たさなかった期間の対価は請求されません。標準は定期提供ではない1回限りのライセンスです。"
        ),
        "en": (
            "Provide the data as a feed, period by period, and be paid per period. The period, the number of periods "
            "and the delivery commitment are set with the offering's kind, and a period in which the commitment is "
            "not met is not charged. The default is a one-off licence, not a subscription."
        ),
    },
}

# Labels a renderer may use for values that are not terms.
DELIVERY_CHANNEL_LABELS: Mapping[str, Mapping[str, str]] = {
    "market": {
        "ja": "本マーケットが発行する有効期限付きのダウンロード用トークンによるダウンロード",
        "en": "download through time-limited download tokens issued by the Market",
    },
    "endpoint": {
        "ja": "提供者が管理するエンドポイント（API等）からの取得",
        "en": "retrieval from an endpoint (such as an API) operated by the Provider",
    },
}
# The forums a contract may name by code (the ``forum`` term): the district courts Japanese B2B contracts name most,
# each as the court of first instance, and the Japan Commercial Arbitration Association for arbitration under its
# rules (the Article "Governing Law and Dispute Resolution" covers both). The code is what the terms hold and hash;
# the document names the forum in its own language. A forum outside this list is written out, and kept as written
# (docs/adr/0018). Codes never change meaning: add a new one rather than reword one.
FORUM_LABELS: Mapping[str, Mapping[str, str]] = {
    "tokyo-district": {"ja": "東京地方裁判所", "en": "Tokyo District Court"},
    "osaka-district": {"ja": "大阪地方裁判所", "en": "Osaka District Court"},
    "nagoya-district": {"ja": "名古屋地方裁判所", "en": "Nagoya District Court"},
    "fukuoka-district": {"ja": "福岡地方裁判所", "en": "Fukuoka District Court"},
    "sapporo-district": {"ja": "札幌地方裁判所", "en": "Sapporo District Court"},
    "sendai-district": {"ja": "仙台地方裁判所", "en": "Sendai District Court"},
    "hiroshima-district": {"ja": "広島地方裁判所", "en": "Hiroshima District Court"},
    "takamatsu-district": {"ja": "高松地方裁判所", "en": "Takamatsu District Court"},
    "yokohama-district": {"ja": "横浜地方裁判所", "en": "Yokohama District Court"},
    "kyoto-district": {"ja": "京都地方裁判所", "en": "Kyoto District Court"},
    "kobe-district": {"ja": "神戸地方裁判所", "en": "Kobe District Court"},
    "jcaa": {
        "ja": "一般社団法人日本商事仲裁協会（仲裁）",
        "en": "the Japan Commercial Arbitration Association (arbitration)",
    },
}
# Terms whose value is a code of a list like the one above, labelled per language (Template.term_codes).
TERM_CODES: Mapping[str, Mapping[str, Mapping[str, str]]] = {"forum": FORUM_LABELS}

# Texts a form offers as a free-text term's first value, in the reader's language. The template's DEFAULTS hold the
# English (what the API fills in when a term is left out); a seller who keeps the Japanese one stores it as written.
DEFAULT_TEXTS: Mapping[str, Mapping[str, str]] = {
    "purpose": {
        "ja": "利用者自身の製品及びサービスのための、社内における研究、分析及び開発。",
        "en": "Internal research, analysis and development of the buyer's own products and services.",
    },
}

GOVERNING_LAW_LABELS: Mapping[str, Mapping[str, str]] = {
    "JP": {"ja": "日本法", "en": "the laws of Japan"},
}
# The lines of a subscription's delivery commitment ({delivery_commitment} in the Article "Subscription"): new versions
# always, messages on the live stream when the offering commits to a number of them. ``{count}`` is filled in.
COMMITMENT_LABELS: Mapping[str, Mapping[str, str]] = {
    "versions": {"ja": "(1) 新しいバージョン：{count}件", "en": "(1) New versions: {count}"},
    "messages": {"ja": "(2) ライブストリームのメッセージ：{count}件", "en": "(2) Messages on the Live Stream: {count}"},
}


# --- which terms a clause applies to ---------------------------------------------------------------------


def _subscription(terms: Mapping[str, Any]) -> bool:
    return isinstance(terms.get("subscription"), Mapping)


def _stream(terms: Mapping[str, Any]) -> bool:
    subscription = terms.get("subscription")
    return isinstance(subscription, Mapping) and subscription.get("stream") is True


# Clause.when -> whether a contract of these terms has the clause.
TERMS_CONDITIONS: Mapping[str, Callable[[Mapping[str, Any]], bool]] = {
    "subscription": _subscription,
    "stream": _stream,
}


# --- functions -------------------------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}.")


def placeholders(clause: Clause, lang: Lang) -> set[str]:
    """The placeholder names used in the clause's text in ``lang``."""
    _check_lang(lang)
    return {name for _, name, _, _ in string.Formatter().parse(clause.text[lang]) if name}


def render_clause_text(clause: Clause, lang: Lang, context: Mapping[str, str]) -> str:
    """The clause's text with its placeholders filled from ``context``.

    Raises ``KeyError(name)`` naming the first placeholder the context lacks.
    """
    _check_lang(lang)
    missing = sorted(placeholders(clause, lang) - set(context))
    if missing:
        raise KeyError(missing[0])
    return clause.text[lang].format_map(context)


def clause_applies(clause: Clause, data_class: str, terms: Mapping[str, Any] | None = None) -> bool:
    """Whether a contract for data of ``data_class`` under ``terms`` has the clause. Without terms, only the clauses
    of every contract of the data class (a licence's): those for some terms need the terms to say so."""
    if clause.applies_to is not None and data_class not in clause.applies_to:
        return False
    return clause.when is None or (terms is not None and TERMS_CONDITIONS[clause.when](terms))


def applicable_clauses(data_class: str, terms: Mapping[str, Any] | None = None) -> tuple[Clause, ...]:
    """The clauses of a contract for data of ``data_class`` under ``terms``, in order."""
    if data_class not in DATA_CLASSES:
        raise ValueError(f"Unknown data class {data_class!r}; expected one of {', '.join(DATA_CLASSES)}.")
    return tuple(c for c in CLAUSES if clause_applies(c, data_class, terms))


def governing_law_label(code: str, lang: Lang) -> str:
    """A readable name of the governing law for an ISO 3166-1 alpha-2 code (the code itself when unknown)."""
    _check_lang(lang)
    known = GOVERNING_LAW_LABELS.get(code.upper())
    if known is not None:
        return known[lang]
    return f"{code.upper()}の法令" if lang == "ja" else f"the laws of {code.upper()}"
