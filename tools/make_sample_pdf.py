"""Generate data/raw/samples/kirigaya_2015_10_kaigiroku.pdf, a fictional sample minutes PDF.

This is a stand-alone maintenance script. It is NOT part of the shingikai package and
must not be imported by it: it needs reportlab and the IPAex fonts, which the project
does not depend on. Everything in the document (ward, council, people, companies,
consultations) is invented.

How to run (from the repository root), outside the project venv:

    apt-get update && apt-get install -y fonts-ipaexfont
    python3 -m venv /tmp/pdfgen && /tmp/pdfgen/bin/pip install reportlab
    /tmp/pdfgen/bin/python tools/make_sample_pdf.py            # writes the default path
    /tmp/pdfgen/bin/python tools/make_sample_pdf.py --out x.pdf # or somewhere else

Then check that the text layer is real Japanese with the project's pdfplumber:

    .venv/bin/python -c "import pdfplumber; p = pdfplumber.open('data/raw/samples/kirigaya_2015_10_kaigiroku.pdf'); print(p.pages[0].extract_text()[:300])"

The output is deterministic (reportlab's invariant mode), so re-running it gives the same
bytes for the same reportlab and font versions. The gold annotation is the hand-written
data/raw/samples/kirigaya_2015_10_kaigiroku.json; if you change the text below, update it.

Layout: A4, body in IPAex明朝 10.5pt, title and running header in IPAexゴシック, the
running header from page 2, `- N -` footers, speaker turns with a hanging indent,
full-width digits throughout, and one ruled label | value table (the consultation sheet
of 諮問第１４号) on the last page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "raw" / "samples" / "kirigaya_2015_10_kaigiroku.pdf"
FONT_DIRS = [
    Path("/usr/share/fonts/opentype"),
    Path("/usr/share/fonts/truetype"),
    Path("/usr/share/fonts"),
]

TITLE = "第９期第４回桐ヶ谷区情報公開・個人情報保護審議会　会議録"
RUNNING_HEADER = "第９期第４回桐ヶ谷区情報公開・個人情報保護審議会　会議録"

# (label, value) lines of the meeting header; continuation lines are indented under the value
HEADER = [
    ("１　日　時", ["平成２７年１０月２２日（木）午後２時から午後４時１０分まで"]),
    ("２　場　所", ["桐ヶ谷区役所本庁舎６階　第一会議室"]),
    (
        "３　出席者",
        [
            "（委員）小野寺会長、市来副会長、安達委員、栗林委員、榊原委員、月岡委員、野々村委員、平賀委員、真壁委員",
            "（区側）総務部長、区政情報課長、税務課長、子ども家庭支援課長、中央図書館長",
        ],
    ),
    ("４　傍聴人", ["１名"]),
    (
        "５　議　題",
        [
            "（１）諮問第１４号　区民税・都民税の課税資料の電子化業務に係る外部委託について（税務課）――資料１",
            "（２）諮問第１５号　ひとり親家庭ホームヘルプサービス事業の業務委託について（子ども家庭支援課）――資料２",
            "（３）報告　中央図書館における利用者情報を記録したＵＳＢメモリの紛失について（中央図書館）――資料３",
        ],
    ),
]

# speaker turns: (speaker, text); speaker None is a stage direction line
TURNS = [
    (
        "会長",
        "定刻になりましたので、ただいまから第９期第４回桐ヶ谷区情報公開・個人情報保護審議会を開会いたします。本日は委員９名全員にご出席いただいております。また、傍聴の方が１名いらっしゃいます。本日の議題は、諮問が２件、報告が１件でございます。はじめに諮問第１４号について、税務課長から説明をお願いします。",
    ),
    ("税務課長", "――― 諮問第１４号について資料１に基づき説明 ―――"),
    ("委員", "課税資料は毎年どのくらいの件数があるのですか。"),
    (
        "税務課長",
        "給与支払報告書が約１８万件、公的年金等支払報告書が約６万件、申告書が約３万件で、合わせて２７万件程度でございます。これまでは繁忙期に臨時職員を雇用して庁内で入力してまいりましたが、件数の増加に入力が追いつかなくなっております。課税の時期に確実に間に合わせるため、今回、外部委託をお願いするものです。",
    ),
    ("委員", "紙の資料を区役所の外に持ち出すことになるのでしょうか。"),
    (
        "税務課長",
        "資料は庁舎の外には出しません。本庁舎の地下１階に専用の作業室を設け、委託先の従事者がそこでスキャナによる読み取りと入力を行います。作業室の扉には入退室の記録が残る電子錠を付け、監視カメラも設置いたします。",
    ),
    ("委員", "作成した画像データや入力データを、委託先の会社に持ち帰ることはありませんか。"),
    (
        "税務課長",
        "作業室に置く機器はすべて区が用意し、外部のネットワークには接続いたしません。データは作業室内のサーバに保存し、毎日の作業の終了時に税務課の職員が区の課税システムに取り込みます。委託先がデータを社外に持ち出すことはございません。",
    ),
    ("副会長", "作業に従事する方の人数と、その方々への教育はどうなっていますか。"),
    (
        "税務課長",
        "繁忙期には最大で２０名程度になる見込みです。従事者の名簿を事前に提出させ、作業の開始前に区の職員が個人情報の取扱いについて研修を行います。また、私物の携帯電話やＵＳＢメモリなどは作業室に持ち込ませません。",
    ),
    ("委員", "委託先はどのように選ぶのですか。"),
    (
        "税務課長",
        "プライバシーマークを取得していることを参加の条件とした指名競争入札により選定し、ＴＳＫデータサービス株式会社が落札しております。",
    ),
    (
        "会長",
        "ほかによろしいでしょうか。それでは、諮問第１４号について、原案のとおり承認することにご異議ございませんか。",
    ),
    (None, "（「異議なし」の声あり）"),
    (
        "会長",
        "異議なしと認め、諮問第１４号は原案のとおり承認といたします。続きまして、諮問第１５号について、子ども家庭支援課長から説明をお願いします。",
    ),
    (
        "子ども家庭支援課長",
        "資料２をご覧ください。ひとり親家庭の方が、就労や疾病などの理由で家事や育児を行うことが難しい場合に、ホームヘルパーを派遣する事業でございます。これまでは区が直接雇用したヘルパーを派遣してまいりましたが、来年度から派遣業務を委託いたします。委託先は、一般社団法人かえで家事支援協会及びＮＰＯ法人すまいる・ママの２団体を予定しております。委託先に提供する個人情報は、利用者の氏名、住所、電話番号、子の氏名、子の年齢、ひとり親家庭となった事由及び派遣の日時でございます。",
    ),
    (
        "委員",
        "ひとり親家庭となった事由まで委託先に伝える必要があるのでしょうか。離婚や死別といった事情は、ご本人にとって他人に知られたくない情報だと思います。",
    ),
    (
        "子ども家庭支援課長",
        "ご指摘のとおり、慎重に扱うべき情報だと考えております。ただ、配偶者からの暴力が背景にある場合などは、ヘルパーが訪問の際に注意しなければならない点があり、安全の確保のために必要となることがございます。そのため、提供は事由の区分にとどめ、詳しい経緯はお伝えしない運用といたします。",
    ),
    ("委員", "ヘルパーの方が、訪問先で知った家庭の事情を外で話してしまうおそれはないでしょうか。"),
    (
        "子ども家庭支援課長",
        "委託先には、ヘルパー一人ひとりから守秘義務に関する誓約書を取らせます。また、区が年２回、委託先の事務所を訪問して、記録の管理状況を確認いたします。",
    ),
    ("副会長", "ヘルパーの研修は、委託先に任せることになるのでしょうか。"),
    (
        "子ども家庭支援課長",
        "研修は委託先が実施いたしますが、個人情報の取扱いに関する内容を必ず含めるよう仕様書で定めます。",
    ),
    (
        "会長",
        "家庭の中に入っていただく訪問型のサービスですので、ヘルパーへの研修を徹底していただくよう意見を付したうえで、諮問第１５号を承認することでよろしいでしょうか。",
    ),
    (None, "（「異議なし」の声あり）"),
    (
        "会長",
        "それでは、諮問第１５号は、ただいまの意見を付して承認といたします。次に報告事項です。中央図書館長から説明をお願いします。",
    ),
    ("中央図書館長", "――― 資料３に基づき説明 ―――"),
    ("委員", "紛失したＵＳＢメモリには、何人分の情報が入っていたのですか。"),
    (
        "中央図書館長",
        "読み聞かせ講座の申込者３２名分の氏名と電話番号でございます。パスワードによる保護はされておりませんでした。申込者の皆様には、個別にお詫びとご説明をいたしました。現在まで、情報が悪用されたという連絡は入っておりません。",
    ),
    ("委員", "そもそも、個人情報をＵＳＢメモリに入れて持ち歩くこと自体が問題ではないでしょうか。"),
    (
        "中央図書館長",
        "おっしゃるとおりでございます。館内では区が貸与する暗号化機能付きの記録媒体以外は使用しないこととし、全職員に改めて周知いたしました。",
    ),
    (
        "区政情報課長",
        "区政情報課といたしましても、同様の事故を防ぐため、全庁に記録媒体の管理状況の点検を依頼しているところでございます。",
    ),
    (
        "会長",
        "再発の防止に努めていただくようお願いします。以上で本日の議題はすべて終了いたしました。次回の日程について、事務局からお願いします。",
    ),
    (
        "区政情報課長",
        "次回は１２月中旬の開催を予定しております。日程が決まりましたら改めてご連絡いたします。",
    ),
    ("会長", "それでは、本日の審議会を閉会いたします。ありがとうございました。"),
]

SHEET_TITLE = "資料１　諮問第１４号　個人情報の処理の外部委託について"
SHEET = [
    ("件名", ["区民税・都民税の課税資料の電子化業務に係る外部委託について"]),
    ("所管課", ["区民部　税務課"]),
    ("委託先", ["ＴＳＫデータサービス株式会社"]),
    (
        "委託の内容",
        [
            "給与支払報告書、公的年金等支払報告書及び申告書の記載内容をスキャナで読み取り、画像データ及び入力データを作成する。"
        ],
    ),
    (
        "取扱う個人情報",
        [
            "氏名、住所、生年月日、性別、電話番号、勤務先の名称、給与等の支払金額、所得控除の額、扶養親族の氏名"
        ],
    ),
    ("委託期間", ["平成２８年１月１２日から平成２８年５月３１日まで"]),
    (
        "個人情報の保護措置",
        [
            "・桐ヶ谷区個人情報保護条例第１２条に基づき、契約に個人情報の取扱いに関する特記事項を定める。",
            "・作業は本庁舎内の専用作業室で行い、資料及びデータを庁舎の外に持ち出さない。",
            "・従事者の名簿を提出させ、作業の開始前に研修を行う。",
            "・作業室への私物の記録媒体の持込みを禁止する。",
        ],
    ),
    (
        "添付資料",
        ["・業務の流れ図　・作業室の配置図　・仕様書（案）　・個人情報の取扱いに関する特記事項"],
    ),
]


def find_font(name: str) -> Path:
    for base in FONT_DIRS:
        hits = sorted(base.rglob(name)) if base.exists() else []
        if hits:
            return hits[0]
    raise SystemExit(f"font {name} not found: apt-get install -y fonts-ipaexfont")


def build(out: Path) -> None:
    from reportlab import rl_config

    rl_config.invariant = 1  # no timestamps or random ids: reproducible bytes

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    pdfmetrics.registerFont(TTFont("IPAexMincho", str(find_font("ipaexm.ttf"))))
    pdfmetrics.registerFont(TTFont("IPAexGothic", str(find_font("ipaexg.ttf"))))

    size = 10.5
    body = ParagraphStyle("body", fontName="IPAexMincho", fontSize=size, leading=18, wordWrap="CJK")
    title = ParagraphStyle(
        "title", parent=body, fontName="IPAexGothic", fontSize=13, leading=22, alignment=1
    )
    head = ParagraphStyle("head", parent=body, fontName="IPAexGothic")
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=15)
    label_w = 5 * size  # "１　日　時" plus a space

    story = [Paragraph(TITLE, title), Spacer(1, 8 * mm)]
    for label, values in HEADER:
        indent = ParagraphStyle(
            "hdr", parent=body, leftIndent=label_w + size, firstLineIndent=-(label_w + size)
        )
        first, *rest = values
        story.append(Paragraph(f"{label}　{first}", indent))
        for value in rest:
            story.append(
                Paragraph(value, ParagraphStyle("hdr2", parent=body, leftIndent=label_w + size))
            )
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph("６　発言内容", head))
    story.append(Spacer(1, 2 * mm))
    for speaker, text in TURNS:
        if speaker is None:
            story.append(Paragraph(text, ParagraphStyle("stage", parent=body, leftIndent=6 * size)))
            continue
        tag = f"（{speaker}）"
        hang = min(len(tag), 6) * size
        style = ParagraphStyle(
            "turn", parent=body, leftIndent=hang, firstLineIndent=-hang, spaceBefore=2
        )
        story.append(Paragraph(f"{tag}　{text}", style))

    story.append(PageBreak())
    story.append(Paragraph(SHEET_TITLE, head))
    story.append(Spacer(1, 4 * mm))
    rows = [
        [Paragraph(label, cell), [Paragraph(v, cell) for v in values]] for label, values in SHEET
    ]
    table = Table(rows, colWidths=[40 * mm, 120 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
                ("VALIGN", (1, 0), (1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story.append(table)

    width, height = A4

    def furniture(canvas, doc):  # type: ignore[no-untyped-def]
        canvas.saveState()
        if doc.page > 1:
            canvas.setFont("IPAexGothic", 8)
            canvas.drawRightString(width - 20 * mm, height - 13 * mm, RUNNING_HEADER)
        canvas.setFont("IPAexMincho", 9)
        canvas.drawCentredString(width / 2, 12 * mm, f"- {doc.page} -")
        canvas.restoreState()

    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=TITLE,
        author="桐ヶ谷区（架空）",
        subject="fictional sample minutes",
        creator="tools/make_sample_pdf.py",
    )
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output path (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args()
    build(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
