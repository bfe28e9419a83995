"""Tables drawn with box-drawing characters, and attachments in parts of their own.

Invented documents (fictional towns, companies and sections); each case failed before its rule.
"""

from __future__ import annotations

from extractors.normalize import normalize
from extractors.pipeline import extract_bytes
from extractors.reading import read_bytes
from extractors.tables import find_tables

TOSHIN = """松葉台市個人情報保護審議会
答　申

第１　諮問第７号
　１　件名
　　　図書館予約アプリの導入に伴う個人情報の処理の外部委託について
　２　答申
　　　本件諮問のとおり外部委託を行うことは、妥当である。

第２　諮問第８号
　１　件名
　　　職員の健康診断結果等の外部提供について
　２　答申
　　　本件諮問のとおり外部提供を行うことは、妥当である。

別表１　諮問第７号に係る委託先及び取り扱う個人情報
（１）委託先
　┌──────────────┬────────────────┐
　│委託業務　　　　　　　　　　│委託先　　　　　　　　　　　　　│
　├──────────────┼────────────────┤
　│アプリの開発及び保守　　　　│株式会社マツバシステム　　　　　│
　│データの保管　　　　　　　　│ひかりクラウド株式会社　　　　　│
　└──────────────┴────────────────┘
（２）取り扱う個人情報
　　ア　利用者に関する情報
　　　　氏名、住所、電話番号、メールアドレス
　　イ　貸出に関する情報
　　　　貸出履歴、予約状況
（３）結合先　株式会社マツバシステムが運用するアプリサーバ

別表２　諮問第８号に係る提供先及び提供する個人情報
　┏━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┓
　┃提供先　　　　┃名称　　　　　　　　　　　　　　　┃提供する個人情報　　　　　　┃
　┣━━━━━━━╋━━━━━━━━━━━━━━━━━╋━━━━━━━━━━━━━━┫
　┃健診機関　　　┃医療法人社団松風会　松葉台健診センター┃職員番号、氏名、　　　　　　┃
　┃　　　　　　　┃　　　　　　　　　　　　　　　　　┃健康診断結果　　　　　　　　┃
　┗━━━━━━━┻━━━━━━━━━━━━━━━━━┻━━━━━━━━━━━━━━┛

付言
　本審議会は、委託先の安全管理措置を確認する共通の項目を定め、各課の運用に役立てることを
期待する。
"""


def test_a_box_drawn_table_is_a_table_with_a_row_per_line() -> None:
    text = normalize(read_bytes(TOSHIN.encode("utf-8"), "toshin.txt").pages).text
    tables = find_tables(text)
    shapes = [[[c.text(text) for c in row] for row in t.rows] for t in tables]
    assert shapes[0] == [
        ["委託業務", "委託先"],
        ["アプリの開発及び保守", "株式会社マツバシステム"],
        ["データの保管", "ひかりクラウド株式会社"],
    ]
    # a row whose first cell is empty goes on with the row above; the table ends at its rule
    assert shapes[1][1][2] == "職員番号、氏名、\n健康診断結果"
    assert len(shapes[1]) == 2


def test_each_attachment_goes_to_the_consultation_its_caption_names() -> None:
    got = extract_bytes(TOSHIN.encode("utf-8"), "answers/toshin.txt")
    by_number = {c.number: c.consultation_id for c in got.consultations}
    parties = {
        n: [k.name for k in got.contractors if k.consultation_id == i] for n, i in by_number.items()
    }
    items = {
        n: [d.item for d in got.data_items if d.consultation_id == i] for n, i in by_number.items()
    }
    # the server is named by who runs it; a facility goes with the corporation before it
    assert parties == {
        7: ["株式会社マツバシステム", "ひかりクラウド株式会社"],
        8: ["医療法人社団松風会 松葉台健診センター"],
    }
    # group headings (ア 利用者に関する情報) are no items, and the closing remark is none either
    assert items == {
        7: ["氏名", "住所", "電話番号", "メールアドレス", "貸出履歴", "予約状況"],
        8: ["職員番号", "氏名", "健康診断結果"],
    }
