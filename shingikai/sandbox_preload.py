"""Imported once by the extraction fork server (`shingikai.sandbox`) before it forks any worker.

Loading GiNZA and the tokenizer here, and extracting one small invented document so that every
table, pattern and cache the extractors load on first use is loaded too, means every worker
shares them and its first document is as fast as its last (a short --timeout stays fair). A
failure is left for the workers to meet: each then loads lazily and a document that cannot be
extracted fails with the reason.
"""

WARM_UP = """会議録

会議の名称\t第1回個人情報保護審議会
開催日時\t令和5年4月1日 午前10時
議題
(1) 諮問第1号 住民情報システムの運用業務の委託について
会議経過
委員: 委託先での個人情報の管理体制を伺いたい。
事務局: 契約書に個人情報取扱特記事項を定めている。
審議の結果、原案のとおり承認することとした。
"""

try:
    from extractors.pipeline import extract_bytes
    from shingikai.sandbox import warm

    warm()
    extract_bytes(WARM_UP.encode("utf-8"), "warm-up.txt")
except Exception:  # noqa: S110 - the workers report it, document by document
    pass
