"""Realistic synthetic council minutes at any scale (for benchmarks only, not tests).

`generate(out, n_docs, seed)` writes `n_docs` documents under `out/<municipality>/`:
mostly .txt minutes (会議録) and .md summaries (要録) with a meeting header, attendees,
1-8 諮問 each with department, contractors, personal-data items, speaker turns and
an outcome, and a share of PDFs copied from ../shared/corpus/pdf with distinct bytes
(a trailing PDF comment after %%EOF, which readers ignore).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF_DIR = ROOT.parent / "shared" / "corpus" / "pdf"

CITIES = [
    "楓原市",
    "霧ヶ谷町",
    "潮見野市",
    "白鷺台市",
    "桜井川市",
    "青葉台町",
    "北浜市",
    "松ヶ丘村",
    "東雲市",
    "若草町",
    "朝霧市",
    "水城市",
    "花園町",
    "星川市",
    "杉野市",
    "月見台市",
]
ERAS = [("平成", 1988), ("令和", 2018)]
SURNAMES = [
    "戸田",
    "真鍋",
    "有賀",
    "北条",
    "三輪",
    "六角",
    "大城",
    "加納",
    "的場",
    "須藤",
    "今泉",
    "佐伯",
    "宮下",
    "岩城",
    "高梨",
    "森本",
]
GIVEN = ["恭平", "由紀子", "隆", "美佐", "健吾", "尚子", "誠", "直樹", "陽子", "聡", "和也", "真理"]
DEPTS = [
    "子育て支援課",
    "介護保険課",
    "市民課",
    "税務課",
    "健康推進課",
    "情報政策課",
    "障害福祉課",
    "学校教育課",
    "保険年金課",
    "防災危機管理課",
]
SUBJECTS = [
    "放課後児童クラブ入会申請に係る電子申請サービス",
    "要介護認定調査業務",
    "住民票の写し等のコンビニ交付",
    "個人住民税の課税資料作成業務",
    "特定健康診査の受診勧奨業務",
    "庁内ネットワーク運用保守業務",
    "障害福祉サービス受給者証の発送業務",
    "就学援助システムの運用",
    "国民健康保険料の納付案内業務",
    "避難行動要支援者名簿の作成",
]
KINDS = [
    "の業務委託について",
    "に係る電子計算組織の結合について",
    "に係る外部提供について",
    "に係る目的外利用について",
]
CONTRACTORS = [
    "株式会社オーシャンシステム",
    "一般社団法人地域福祉協会",
    "株式会社みらい情報サービス",
    "有限会社北浜印刷",
    "株式会社データプラス",
]
ITEMS = [
    "氏名",
    "住所",
    "生年月日",
    "性別",
    "電話番号",
    "世帯構成",
    "所得",
    "健康状態",
    "要介護度",
    "口座番号",
    "障害の状況",
    "学校名",
]
OUTCOMES = [
    "審議の結果、原案のとおり承認することとした。",
    "審議の結果、次の条件を付して承認することとした。委託先に対し、個人情報の取扱いについて定期的に報告を求めること。",
    "審議の結果、継続審議とすることとした。",
    "審議の結果、全員一致で承認した。",
]
QUESTIONS = [
    "委託先での個人情報の管理体制はどのようになっているのか。",
    "再委託は認めるのか。",
    "データの保存期間と廃棄の方法を伺いたい。",
    "漏えい事故が起きた場合の対応はどうなるのか。",
    "対象者数はどの程度を見込んでいるのか。",
    "通信は暗号化されているのか。",
]
ANSWERS = [
    "契約書に個人情報取扱特記事項を定め、立入検査を行うことができるようにしている。",
    "再委託は原則として認めず、例外的に認める場合は事前に承認を得ることとしている。",
    "契約終了後速やかに消去し、消去証明書を提出させることとしている。",
    "直ちに市へ報告させ、被害の拡大防止の措置を講じさせることとしている。",
    "年間でおよそ三千人程度を見込んでいる。",
    "専用回線を用い、通信は暗号化している。",
]


def _name(r: random.Random) -> str:
    return r.choice(SURNAMES) + r.choice(GIVEN)


def minutes(r: random.Random, city: str, n_items: int, chatter: int) -> str:
    era, base = r.choice(ERAS)
    year = r.randint(1, 30) if era == "平成" else r.randint(1, 6)
    month, day = r.randint(1, 12), r.randint(1, 28)
    chair, vice = _name(r), _name(r)
    members = [_name(r) for _ in range(r.randint(3, 7))]
    start_no = r.randint(1, 40)
    items = []
    for i in range(n_items):
        dept = r.choice(DEPTS)
        title = r.choice(SUBJECTS) + r.choice(KINDS)
        items.append((start_no + i, title, dept))
    lines = [
        "会議録",
        "",
        f"会議の名称\t{era}{year}年度第{r.randint(1, 4)}回{city}個人情報保護審議会",
        f"開催日時\t{era}{year}年{month}月{day}日 午前10時～11時45分",
        f"開催場所\t{city}役所 第{r.randint(1, 5)}会議室",
        f"出席者\t(委員) {chair}会長・{vice}副会長・" + "・".join(m + "委員" for m in members),
        f"(事務局) {_name(r)}総務課長・{_name(r)}文書係長",
        f"欠席者\t{_name(r)}委員",
        f"傍聴者\t{r.randint(0, 5)}名",
        "",
        "会議次第",
        "1 開会",
        "2 諮問事項",
    ]
    for k, (no, title, dept) in enumerate(items, 1):
        lines.append(f"({k}) 諮問第{no}号 {title}({dept})")
    lines += [
        "3 その他",
        "4 閉会",
        "",
        "会議経過",
        "1 開会",
        "総務課長が開会を告げ、以後、会長が議事を進行した。",
        "2 諮問事項",
    ]
    for k, (no, title, dept) in enumerate(items, 1):
        lines.append(f"({k}) 諮問第{no}号「{title}」({dept})")
        lines.append(
            f"{dept}長から、諮問書に基づき説明があった。委託先は{r.choice(CONTRACTORS)}とし、取り扱う個人情報は"
            + "、".join(r.sample(ITEMS, r.randint(2, 6)))
            + "である。"
        )
        for _ in range(r.randint(1, 3) + chatter):
            q = r.randrange(len(QUESTIONS))
            lines.append(f"{r.choice(members)}委員: {QUESTIONS[q]}")
            lines.append(f"{dept}長: {ANSWERS[q]}")
        lines.append(r.choice(OUTCOMES))
    lines += ["3 その他", "特になし。", "4 閉会", "会長が閉会を宣言した。", ""]
    return "\n".join(lines)


def generate(
    out: Path, n_docs: int, seed: int = 0, pdf_share: float = 0.05, chatter: int = 2
) -> list[Path]:
    r = random.Random(seed)
    out = Path(out)
    pdfs = sorted(PDF_DIR.glob("[0-9]*.pdf")) if PDF_DIR.exists() else []
    written = []
    for i in range(n_docs):
        city = CITIES[i % len(CITIES)] if i < len(CITIES) else r.choice(CITIES)
        folder = out / f"city{CITIES.index(city):02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if pdfs and r.random() < pdf_share:
            src = pdfs[i % len(pdfs)]
            path = folder / f"doc{i:06d}.pdf"
            shutil.copyfile(src, path)
            with open(path, "ab") as fh:
                fh.write(f"\n% bench copy {i}\n".encode())
        else:
            text = minutes(r, city, r.randint(1, 8), r.randint(0, chatter))
            ext = ".md" if r.random() < 0.2 else ".txt"
            if ext == ".md":
                text = "# " + text.replace("\n会議経過\n", "\n## 会議経過\n", 1)
            path = folder / f"doc{i:06d}{ext}"
            path.write_text(text, "utf-8")
        written.append(path)
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", type=Path)
    p.add_argument("-n", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pdf-share", type=float, default=0.05)
    a = p.parse_args()
    print(len(generate(a.out, a.n, a.seed, a.pdf_share)), "documents under", a.out)


if __name__ == "__main__":
    main()
