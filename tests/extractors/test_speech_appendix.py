"""The last speaker's turn ends where an appendix begins (issue 23): the chair's closing
words took in the 諮問書 and the member roster printed after the minutes, and their lines
(`会長 山田太郎様`, `委員 佐藤一郎`) were read as turns of their own."""

from __future__ import annotations

from extractors.speech import turns

MINUTES = """議事
(会長)それでは審議を始めます。
(委員)提供する項目は必要最小限か。
(事務局)氏名と住所に限っている。
(会長)以上をもちまして閉会いたします。
参考1 諮問書(写し)
霞浦市個人情報保護審議会
会長 山田太郎様
下記の事項について諮問します。
委員名簿(令和4年3月24日現在)
委員 佐藤一郎
委員 鈴木花子
"""


def test_the_last_turn_stops_at_the_appendix() -> None:
    found = turns(MINUTES, 0)
    assert [t.speaker for t in found] == ["会長", "委員", "事務局", "会長"]
    assert MINUTES[found[-1].start : found[-1].end] == "以上をもちまして閉会いたします。"
