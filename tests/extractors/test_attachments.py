"""Attachments (別表) of a 答申: the items and parties they list go to the 諮問 their caption
names or the one part that refers to them. Invented documents; each case failed before."""

from __future__ import annotations

from extractors.pipeline import extract_bytes

TOSHIN = (
    "個人情報の取扱いについて（答申）\n下記のとおり答申します。\n記\n"
    "１　諮問第１８号　校務支援システムのクラウド化に伴う外部委託及び電子計算組織の結合について\n"
    "１　諮問第１９号　特定保健指導業務の委託について\n\n"
    "１　諮問第１８号について\n（１）結論\n　諮問のとおり承認する。\n（２）理由\n"
    "　委託先及び結合先は別表２のとおりであり、取り扱う個人情報は別表１のとおりである。\n\n"
    "２　諮問第１９号について\n（１）結論\n　諮問のとおり承認する。\n（２）理由\n"
    "　取り扱う個人情報の項目は、氏名、生年月日、身長及び体重とされている。\n\n"
    "別表１　諮問第１８号において取り扱う個人情報\n　1.　児童生徒の氏名（ふりがなを含む。）\n"
    "　2.　生年月日\n　3.　出欠の状況\n\n"
    "別表２　委託先及び結合先\n　1.　委託先（運用保守）　　株式会社わかば情報システム\n"
    "　　　　　　　　　　　　　（若葉郡本郷２１４番地）\n　2.　再委託先（データセンター運用）　　株式会社ノース計算\n"
)


def test_an_attachment_goes_to_the_consultation_its_caption_names_or_that_refers_to_it() -> None:
    got = extract_bytes(TOSHIN.encode("utf-8"), "attachments/toshin.txt")
    ids = {c.number: c.consultation_id for c in got.consultations}
    assert sorted(ids) == [18, 19]
    items = {n: [d.item for d in got.data_items if d.consultation_id == i] for n, i in ids.items()}
    parties = {
        n: [c.name for c in got.contractors if c.consultation_id == i] for n, i in ids.items()
    }
    assert {"生年月日", "出欠の状況"} <= set(items[18])
    assert "身長" not in items[18] and "出欠の状況" not in items[19]
    assert items[19] == [
        "氏名",
        "生年月日",
        "身長",
        "体重",
    ]  # the list said in prose (…とされている)
    assert parties[18] == ["株式会社わかば情報システム", "株式会社ノース計算"]
    assert parties[19] == []
    # a reference to an attachment is no item
    assert not any(i.startswith("別表") for i in items[18] + items[19])
