"""Allowed values of the warehouse, one StrEnum per column family.

Every member carries a one-line meaning; the DDL's CHECK constraints and the
gold schema use exactly these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType


class FileType(StrEnum):
    PDF = "pdf"  # read through pdfplumber
    TEXT = "text"  # plain text (.txt), any supported encoding
    MARKDOWN = "markdown"  # markdown, possibly with embedded HTML tables
    HTML = "html"  # a web page; navigation and footers are dropped


class Status(StrEnum):
    OK = "ok"  # read and extracted; rows are in every table
    FAILED = "failed"  # could not be read (corrupt, truncated, over a limit); see `error`
    NEEDS_OCR = "needs_ocr"  # no text layer: run OCR and ingest the result
    ENCRYPTED = "encrypted"  # password protected: ask the publisher or decrypt first
    UNSUPPORTED = "unsupported"  # not a format shingikai reads (binary, wrong extension)


class DocKind(StrEnum):
    MINUTES = "minutes"  # 会議録, 会議要録, 会議の記録
    TOSHIN = "toshin"  # 答申: the council's formal answer to a 諮問
    SUMMARY = "summary"  # 審議概要 or a results-only page
    OTHER = "other"  # anything else (notices, 404 pages saved as documents)


class Outcome(StrEnum):
    APPROVED = "approved"  # 承認, 可, 妥当, 了承, 原案どおり
    REJECTED = "rejected"  # 不承認, 否決, 不可
    DEFERRED = "deferred"  # 継続審議, 保留
    WITHDRAWN = "withdrawn"  # 取り下げ
    UNKNOWN = "unknown"  # the text does not reach the decision: never guessed


class Vote(StrEnum):
    UNANIMOUS = "unanimous"  # 異議なし, 全員
    MAJORITY = "majority"  # 多数, 挙手多数


class Category(StrEnum):
    OUTSOURCING = "outsourcing"  # 外部委託, 業務委託, 指定管理
    ONLINE_LINK = "online_link"  # 電子計算組織の結合, 電算結合, オンライン結合, 通信回線結合
    NON_PURPOSE_USE = "non_purpose_use"  # 目的外利用
    EXTERNAL_PROVISION = "external_provision"  # 外部提供, 第三者提供, 実施機関以外のものへの提供
    INDIRECT_COLLECTION = "indirect_collection"  # 本人外収集
    RECORD_ITEMS = "record_items"  # 電子計算機処理の記録項目
    BLANKET_APPROVAL = "blanket_approval"  # 事前一括承認基準
    OTHER = "other"  # none of the above


class ContractorKind(StrEnum):
    COMPANY = "company"  # 株式会社, 有限会社, 合同会社 ...
    PUBLIC_BODY = "public_body"  # ministries, prefectures, municipalities, 法務局 ...
    ASSOCIATION = "association"  # 社団・財団法人, NPO, 社会福祉法人, citizens' groups
    DESIGNATED_MANAGER = "designated_manager"  # 指定管理者 named as such
    UNNAMED = "unnamed"  # a generic word (民間事業者, 委託業者) rather than a name


class IncidentType(StrEnum):
    LOSS = "loss"  # 紛失, 盗難, 所在不明
    LEAK = "leak"  # 漏えい, 流出
    MISDELIVERY = "misdelivery"  # 誤送付, 誤送信, 誤交付
    UNAUTHORISED_ACCESS = "unauthorised_access"  # 不正アクセス, 目的外閲覧
    OTHER = "other"  # an incident none of the words of incident_types.csv names


class Side(StrEnum):
    MEMBER = "member"  # a council member (会長, 副会長, 委員)
    OFFICIAL = "official"  # the municipality's staff (部長, 課長, 事務局)


class SpeakerRole(StrEnum):
    CHAIR = "chair"  # 会長, 議長, 委員長
    VICE_CHAIR = "vice_chair"  # 副会長, 会長職務代理
    MEMBER = "member"  # 委員
    OFFICIAL = "official"  # staff of the municipality
    MEMBERS = "members"  # collective answers (各委員, 委員一同)


class HeaderField(StrEnum):
    WHEN = "when"  # the meeting date, often with its times (日時, 開催日時, とき)
    TIME = "time"  # the times alone (時間, 開催時間)
    PLACE = "place"  # where it was held (場所, 開催場所, 会場, ところ)
    OBSERVERS = "observers"  # members of the public present (傍聴者, 傍聴人)
    ATTENDEES = "attendees"  # those present (出席者, 出席委員)
    ABSENT = "absent"  # those absent (欠席者, 欠席委員)
    BODY = "body"  # the council's name (審議会名, 審議会等名称)
    MEETING = "meeting"  # the meeting's name (会議名, 会議の名称)
    AGENDA = "agenda"  # the agenda (議題, 案件, 次第)
    OTHER = "other"  # a header label of no field here; it ends the value before it


class ChromeShape(StrEnum):
    DATED = "dated"  # a page date: 更新日：<date>, <date>更新
    ID = "id"  # a page number: ページID：<digits>
    MARKER = "marker"  # a navigation or tool word of the site (印刷する, ここから本文です)


# ---- researchers' corrections (shingikai/warehouse/corrections.py)
class CorrectionAction(StrEnum):
    SET = "set"  # a field's value
    ADD = "add"  # a contractor or data item to a list, or a consultation or report missed
    REMOVE = "remove"  # one that is not there in the document
    CONFIRM = "confirm"  # the value is checked and right


class CorrectionStatus(StrEnum):
    APPLIED = "applied"  # the extracted value was replaced
    REDUNDANT = "redundant"  # the extractor already gives the corrected value
    CONFIRMED = "confirmed"  # a confirmation the extractor agrees with
    MISSING = "missing"  # its target is no longer in the document: not applied
    CONFLICT = "conflict"  # another researcher says otherwise: neither applied


# ---- end of researchers' corrections


@lru_cache(maxsize=1)
def header_labels() -> Mapping[str, HeaderField]:
    """Header label as written (NFKC) -> the field it introduces, from header_labels.csv."""
    from models.canon import _read_csv

    return MappingProxyType(
        {r["label"]: HeaderField(r["field"]) for r in _read_csv("header_labels.csv")}
    )


@lru_cache(maxsize=1)
def page_chrome_words() -> Mapping[str, ChromeShape]:
    """Word of a web page's own furniture -> its shape, from page_chrome.csv."""
    from models.canon import _read_csv

    return MappingProxyType(
        {r["word"]: ChromeShape(r["shape"]) for r in _read_csv("page_chrome.csv")}
    )


@lru_cache(maxsize=1)
def place_words() -> tuple[str, ...]:
    """Words that make a header line read as a place (会議室, 庁舎, 会館), from place_words.csv."""
    from models.canon import _read_csv

    return tuple(r["word"] for r in _read_csv("place_words.csv"))


@lru_cache(maxsize=1)
def doc_kind_words() -> Mapping[str, tuple[DocKind, bool]]:
    """Title word -> (the kind of document it names, whether it is a minutes heading), from doc_kind_words.csv."""
    from models.canon import _read_csv

    return MappingProxyType(
        {
            r["word"]: (DocKind(r["kind"]), r["heading"] == "yes")
            for r in _read_csv("doc_kind_words.csv")
        }
    )
