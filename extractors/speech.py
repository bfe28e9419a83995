"""Speaker turns: `(会長) …`, `（委員）…`, `○原事務局長 …`, `● question` / `→ answer`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.common import lines
from models.vocab import SpeakerRole

_LABEL = re.compile(
    r"^(?:[-・]\s*)?(?:[(（]\s*([^()（）\n]{1,24}?)\s*[)）]|[○◯◎]\s*([^\s、。()（）]{1,20}?(?:会長|副会長|委員長|委員|部長|課長|局長|所長|館長|係長|事務局長|事務局|次長|室長|参事|主任|主事|センター長|担当))(?=\s|$|[、。]))\s*"
)
_TITLE_WORDS = re.compile(
    r"会長|委員|議長|課長|部長|局長|所長|館長|係長|事務局|室長|次長|参事|主任|主事|職員|センター|担当|区長|市長|町長|村長|理事|園長|審議会"
)
_ROLE_END = r"(?:会長|副会長|委員長|委員|議長|部長|課長|局長|所長|館長|係長|事務局長|事務局|次長|室長|参事|主任|主事|主査|保健師|センター長|担当|説明者|説明員)"
# `福祉課長:…`, `説明者(納税課):…`, `委員:…`
_COLON_LABEL = re.compile(
    rf"^([^\s:：、。]{{0,14}}{_ROLE_END}(?:[(（][^()（）]{{1,12}}[)）])?)\s*[:：]\s*"
)
# `宗像会長 予約の…`, `委員 申込みの…` (a speaker, a space, then the speech)
_SPACE_LABEL = re.compile(rf"^([^\s:：、。()（）]{{0,12}}{_ROLE_END})\s+(?=\S)")
# an appendix after the proceedings (`参考1 諮問書(写し)`, `委員名簿(令和4年3月24日現在)`): nobody
# speaks there, and its lines (`会長 蓮見徹様`, a roster) are neither a turn nor part of the last one
_APPENDIX = re.compile(
    r"^(?:(?:参考|別紙|別添|付録)\s*[0-9一二三四五六七八九十]*\s*[:：]?\s*(?:諮問書|答申書|委員名簿|名簿)"
    r"|(?:諮問書|答申書|委員名簿)(?:\s*[(（][^()（）]*[)）])?$)"
)
_MEMBER_MARK = re.compile(r"^[●]\s*")
_OFFICIAL_MARK = re.compile(r"^[→⇒]\s*")


@dataclass
class Turn:
    speaker: str
    role: str
    start: int
    end: int


def speaker_role(label: str) -> str:
    s = re.sub(r"\s", "", label)
    if re.search(r"各委員|委員一同|全委員|委員全員|審議会委員$", s):
        return SpeakerRole.MEMBERS
    if re.search(r"副会長|会長職務代理|副委員長|副議長", s):
        return SpeakerRole.VICE_CHAIR
    if re.search(r"^(会長|委員長|議長)$|[^副]会長$", s):
        return SpeakerRole.CHAIR
    if re.search(r"委員$", s):
        return SpeakerRole.MEMBER
    return SpeakerRole.OFFICIAL


def turns(text: str, start: int) -> list[Turn]:
    """Speaker turns from `start` (where the proceedings begin) to the end."""
    out: list[Turn] = []
    for line in lines(text, start):
        if _APPENDIX.match(line.text.strip()):
            if out:
                out[-1].end = _trim_end(text, out[-1].start, out[-1].end)
            break
        m = _LABEL.match(line.text)
        label = None
        if m:
            label = (m.group(1) or m.group(2) or "").strip()
            if not _TITLE_WORDS.search(label) or re.fullmatch(
                r"[\d一二三四五六七八九十]+|[ア-ン]", label
            ):
                label = None
        if label and m:
            body_start = line.start + m.end()
            if out:
                out[-1].end = _trim_end(text, out[-1].start, line.start)
            out.append(Turn(label, speaker_role(label), body_start, line.end))
            continue
        if not label:
            c = _COLON_LABEL.match(line.text) or _SPACE_LABEL.match(line.text)
            if c and _TITLE_WORDS.search(c.group(1)):
                if out:
                    out[-1].end = _trim_end(text, out[-1].start, line.start)
                label = c.group(1)
                out.append(Turn(label, speaker_role(label), line.start + c.end(), line.end))
                continue
        mm, om = _MEMBER_MARK.match(line.text), _OFFICIAL_MARK.match(line.text)
        if mm or om:
            if out:
                out[-1].end = _trim_end(text, out[-1].start, line.start)
            mark = mm or om
            assert mark is not None
            out.append(
                Turn(
                    "委員" if mm else "所管課",
                    SpeakerRole.MEMBER if mm else SpeakerRole.OFFICIAL,
                    line.start + mark.end(),
                    line.end,
                )
            )
            continue
        if (
            out
            and line.text.strip()
            and not re.match(r"^(\d+\s|[IVX]+\s|[(（]\d+[)）]|【|※|第\d+|[○◯]\s*諮問)", line.text)
        ):
            out[-1].end = line.end
        elif out:
            out[-1].end = _trim_end(text, out[-1].start, out[-1].end)
    return out


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \n\t":
        end -= 1
    return end
