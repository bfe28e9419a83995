"""Allowed values of the warehouse, one StrEnum per column family.

Every member carries a one-line meaning; the DDL's CHECK constraints and the
gold schema use exactly these values.
"""

from __future__ import annotations

from enum import StrEnum


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
