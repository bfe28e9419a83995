"""Decisions: outcome, vote, dissent and conditions of a 諮問, from the council's own words.

The decision is the last decisive sentence in the item's region of the text (the
chair's closing, a 「可」とする line, a 答申's 結論). When none is there, the
outcome is `unknown`: a decision is never guessed from the discussion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.common import NUM, to_int
from extractors.regions import ItemRegion
from models.phrases import first_outcome, has_condition, outcome_starts
from models.vocab import Outcome, Vote

_VOTE_UNANIMOUS = re.compile(
    r"異議なし|異議ありません|異議なく|各委員了承|委員一同了承|全員|全会一致|満場一致|[<＜(（]\s*承認\s*[>＞)）]"
)
# a count of those for (賛成5名、反対2名) is a vote decided by majority
_VOTE_MAJORITY = re.compile(
    rf"多数|賛成多数|挙手多数|賛成\s*(?:{NUM})\s*[名人票]|賛成\s*(?:{NUM})\s*[、,・]\s*反対\s*(?:{NUM})"
)
_DISSENT = re.compile(
    rf"(?:反対[^。<＜\n]{{0,12}}[<＜(（]\s*({NUM})\s*[名人]\s*[>＞)）]|反対(?:者)?(?:は)?\s*({NUM})\s*[名人]|[<＜]\s*({NUM})\s*名\s*[>＞]"
    # the counts for and against without a counter word (賛成5、反対2) or in votes (票)
    rf"|賛成\s*(?:{NUM})\s*[名人票]?\s*[、,・]?\s*反対\s*({NUM})"
    # the members against counted: 反対する委員が1名, 反対の委員は2人, 1名の委員が反対
    rf"|反対(?:する|の)?(?:委員|者)(?:は|が)?\s*({NUM})\s*[名人]|({NUM})\s*[名人](?:の委員)?(?:が|は)反対)"
)
# the members against named in brackets: 賛成多数(反対:A委員、B委員)
_AGAINST_NAMED = re.compile(r"反対\s*[:：]\s*([^()（）:：。\n]{1,80})[)）]")
# a minority opinion and how many members held it (委員1名から少数意見が述べられた)
_MINORITY = re.compile(
    rf"(?:委員\s*({NUM})\s*[名人]|({NUM})\s*[名人]の委員)[^。]{{0,30}}少数意見"
    rf"|少数意見[^。]{{0,30}}?(?:委員\s*({NUM})\s*[名人]|({NUM})\s*[名人]の委員)"
)
_REQUEST = re.compile(
    r"ほしい|欲しい|もらいたい|いただきたい|要望|求める|すべき|した方が(?:いい|よい|良い)|してはどうか|検討して"
)
_OPINION_HEAD = re.compile(r"委員(?:の)?意見|付帯意見|意見(?:・要望)?\s*$|要望事項")
_QUESTION = re.compile(r"でしょうか|ですか|よろしいか|いかがですか|よろしいでしょうか")


@dataclass
class Decision:
    outcome: str
    outcome_text: str | None
    span: tuple[int, int] | None
    vote: str | None
    dissent: int | None
    has_conditions: bool
    condition_spans: list[tuple[int, int]]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence: up to a 。 or a line break. A 。 inside brackets
    (`(以下「事業」という。)`) ends no sentence: the verdict after the bracket is the same
    sentence as its subject before it, and outcome_text began with `)`."""
    out = []
    pos = start
    depth = 0
    for m in re.finditer(r"[。\n(（「『)）」』]", text[start:end]):
        mark = m.group(0)
        if mark in "(（「『":
            depth += 1
            continue
        if mark in ")）」』":
            depth = max(0, depth - 1)
            continue
        if mark == "。" and depth:
            continue
        depth = 0
        stop = start + m.end()
        if text[pos:stop].strip():
            out.append((pos, stop))
        pos = stop
    if pos < end and text[pos:end].strip():
        out.append((pos, end))
    return out


# a 諮問 number as a 答申 names it: 諮問第7号, and the second of 諮問第7号及び第8号
_CONSULT_NO = re.compile(rf"(?:諮問\s*|(?:及び|および|並びに|、|と)\s*)第\s*({NUM})\s*号")


def _answer_section(text: str, start: int, end: int, number: int | None) -> int:
    """Where a 答申 that answers several 諮問 begins its answer to 諮問第`number`号.

    That is the first line naming this 諮問 and no other (`第2 諮問第8号について`); a
    答申 on one 諮問, or one that never names them apart, is answered from its start.
    """
    if number is None:
        return start
    named = [(m.start(), to_int(m.group(1))) for m in _CONSULT_NO.finditer(text, start, end)]
    if len({n for _, n in named}) < 2:
        return start
    for pos, n in named:
        if n != number:
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        line_end = end if line_end < 0 else line_end
        if {m for p, m in named if line_start <= p < line_end} == {number}:
            return line_start
    return start


def find_decision(
    text: str, start: int, end: int, *, toshin: bool = False, number: int | None = None
) -> Decision:
    """The decision about the item whose region is text[start:end] (諮問第`number`号)."""
    region_start = start
    if toshin:
        start = _answer_section(text, start, end, number)
    sents = _sentences(text, start, end)
    found = None
    # minutes end an item with the decision; a 答申 opens with its conclusion, then gives reasons
    order = range(len(sents)) if toshin else range(len(sents) - 1, -1, -1)
    for i in order:
        s, e = sents[i]
        sentence = text[s:e]
        outcome = _classify(sentence)
        if outcome is None:
            continue
        # a chair's question ("承認でよろしいでしょうか") is decided by what follows it
        answer = " ".join(text[a:b] for a, b in sents[i + 1 : i + 4])
        if (
            _QUESTION.search(sentence)
            and not _answered(answer)
            and not re.search(r"[<＜(（]\s*(承認|異議なし)", sentence)
        ):
            continue
        found = (i, s, e, outcome)
        break
    if found is None:
        return Decision(Outcome.UNKNOWN, None, None, None, None, False, [])
    i, s, e, outcome = found
    if outcome == Outcome.APPROVED and i > 0 and _ASSENT.fullmatch(text[s:e].strip()):
        # an assent (「異議なし」) takes the outcome of the question it answers: the chair asked
        # to accept a withdrawal or to continue the deliberation
        asked = text[sents[i - 1][0] : sents[i - 1][1]]
        if re.search(r"ございませんか|ありませんか|よろしいですか|よろしいでしょうか", asked):
            outcome = _classify(asked) or outcome
    window = text[s : sents[min(i + 3, len(sents) - 1)][1]]
    before = text[sents[max(0, i - 3)][0] : e]
    # a 答申 states the split of the council anywhere (少数意見 is a section of its own)
    around = text[region_start:end] if toshin else before[-200:] + window
    vote = None
    if (
        _VOTE_MAJORITY.search(window)
        or _VOTE_MAJORITY.search(before[-120:])
        or (toshin and re.search("多数意見|少数意見", around))
    ):
        vote = Vote.MAJORITY
    elif _VOTE_UNANIMOUS.search(window) or _VOTE_UNANIMOUS.search(before[-80:]):
        vote = Vote.UNANIMOUS
    dissent = _dissent(around) if vote == Vote.MAJORITY else None
    conditions = _conditions(text, sents, i, toshin) if outcome == Outcome.APPROVED else []
    return Decision(outcome, text[s:e].strip(), (s, e), vote, dissent, bool(conditions), conditions)


_NEGATION = re.compile(r"ない|ず[、。]|ぬ|ません")
_ASSENT = re.compile(
    r"[(（]?\s*[「『]?(?:異議なし|異議ありません|賛成|はい)[」』]?(?:と呼ぶ者あり|の声あり)?\s*[)）]?。?"
)


def _dissent(text: str) -> int | None:
    """How many members voted against, by count, by name or as holders of a minority opinion."""
    dm = _DISSENT.search(text)
    if dm:
        return to_int(next(g for g in dm.groups() if g))
    named = _AGAINST_NAMED.search(text)
    if named:
        return len([n for n in re.split(r"[、,・]", named.group(1)) if n.strip()])
    for minority in _MINORITY.finditer(text):
        if any(minority.groups()):
            return to_int(next(g for g in minority.groups() if g))
    return None


def _classify(sentence: str) -> str | None:
    outcome = first_outcome(sentence)
    # the verdict is the sentence's last approval: a negation before it belongs to another
    # clause (…の部分は承認しないこととし、一部承認となった)
    last = max(outcome_starts(sentence, Outcome.APPROVED), default=0)
    # a condition in brackets after the verdict (`妥当(…保存させないこと。)`) negates nothing
    after = re.sub(r"[(（][^()（）]*(?:[)）]|$)", "", sentence[last:])
    if outcome == Outcome.APPROVED and _NEGATION.search(after):
        # a verdict word under a negation the phrase rows do not spell out
        # (`適当であるとは認められない`): GiNZA's parse decides, on this one sentence
        from extractors.nlp import negates_decision

        if negates_decision(sentence):
            return Outcome.REJECTED
    return outcome


def _answered(answer: str) -> bool:
    return bool(
        re.search(
            r"異議なし|異議ありません|[<＜(（]\s*承認|了承|承認とします|承認といたします|(?:はい|賛成)",
            answer,
        )
    )


def _conditions(
    text: str, sents: list[tuple[int, int]], i: int, toshin: bool
) -> list[tuple[int, int]]:
    """Sentences that attach requests to the answer."""
    s, e = sents[i]
    out = []
    # the decision, or the chair's proposal just before it (…ご要望を踏まえた形で承認…)
    for a, b in sents[max(0, i - 3) : i + 1]:
        sentence = text[a:b]
        if (a, b) != (s, e) and not re.search(r"承認|了承|可と", sentence):
            continue
        if has_condition(sentence, "decision") and not re.search(
            r"ございません|ありません", sentence
        ):
            out.append((a, b))
    following = sents[i + 1 :]
    if toshin:
        # a 答申's conclusion: the sentences after the verdict that ask for something
        for a, b in following[:6]:
            if has_condition(text[a:b], "answer"):
                out.append((a, b))
    elif following and has_condition(text[following[0][0] : following[0][1]], "after"):
        out.append(following[0])
    elif following and _OPINION_HEAD.search(text[following[0][0] : following[0][1]]):
        # a decision followed by the members' opinions attached to it
        for a, b in following[1:60]:
            if _REQUEST.search(text[a:b]):
                out.append((a, b))
    return out


def decide(text: str, start: int, end: int, *, toshin: bool, number: int | None = None) -> Decision:
    """The decision on the item (諮問第`number`号) whose region is text[start:end].

    A decision written on the line that takes the item up (`○ 諮問第N号「…」について…「可」とする`)
    is the decision, with the vote or conditions the rest of the region adds.
    """
    if toshin:
        return find_decision(text, start, end, toshin=True, number=number)
    line_end = text.find("\n", start)
    line_end = end if line_end < 0 or line_end > end else line_end
    first = find_decision(text, start, line_end)
    if first.outcome == Outcome.UNKNOWN:
        return find_decision(text, start, end)
    rest = find_decision(text, start, end)
    if first.has_conditions or not rest.has_conditions:
        first.vote = first.vote or rest.vote
        return first
    return rest


def shared_decision(text: str, number: int, start: int, end: int) -> Decision | None:
    """The decision on 諮問第`number`号 when it was taken up with the next item, whose region is
    text[start:end] (`諮問第5号及び第6号について、一括して…`).

    A clause naming the number (`諮問第5号は原案のとおり承認し、諮問第6号は…`) decides it;
    a decision naming no number decides both. None when the region does not open jointly.
    """
    head_end = text.find("\n", start, end)
    head = text[start : end if head_end < 0 else head_end]
    joint = re.search(
        rf"諮問\s*第\s*0*{number}\s*号\s*(?:及び|および|並びに|、|と|,)\s*(?:諮問\s*)?第", head
    )
    if not joint:
        return None
    found = decide(text, start, end, toshin=False)
    if found.outcome == Outcome.UNKNOWN or found.span is None:
        return None
    s, e = found.span
    sentence = text[s:e]
    if not re.search(r"諮問\s*第|第\s*\d+\s*号", sentence):
        return found
    clause = re.search(rf"諮問\s*第\s*0*{number}\s*号(?:[^。]*?)(?=諮問\s*第|。|$)", sentence)
    if not clause:
        return None
    outcome = _classify(clause.group(0))
    if outcome is None:
        return None
    span = (s + clause.start(), s + clause.end())
    return Decision(outcome, clause.group(0).strip(), span, None, None, False, [])


_MENTION = re.compile(
    rf"諮問\s*第\s*({NUM})\s*号(?:\s*(?:から|～|~|〜)\s*(?:諮問\s*)?第\s*({NUM})\s*号\s*(?:まで)?)?"
)


def named_decision(text: str, number: int, start: int = 0) -> Decision | None:
    """A sentence anywhere after `start` that decides 諮問第`number`号 by its number, alone, in a
    list or in a range: `諮問第61号及び諮問第62号は、異議なく承認された`, `諮問第12号から
    諮問第14号までについては、いずれも承認された`. The clause that names the number decides;
    a sentence whose only verdict follows all the numbers decides them all."""
    for s, e in _sentences(text, start, len(text)):
        sentence = text[s:e]
        found = list(_MENTION.finditer(sentence))
        covers = [
            m
            for m in found
            if (a := to_int(m.group(1))) is not None
            and (a == number or (m.group(2) and a <= number <= (to_int(m.group(2)) or a)))
        ]
        if not covers:
            continue
        m = covers[0]
        later = [x.start() for x in found if x.start() > m.start()]
        clause = sentence[m.start() : later[0] if later else len(sentence)]
        outcome = _classify(clause)
        if outcome is None and later:
            tail = sentence[found[-1].end() :]  # `…第61号及び第62号は、いずれも承認された`
            if not _MENTION.search(tail) and (outcome := _classify(tail)) is not None:
                clause = sentence[m.start() :]
        if outcome is None:
            continue
        span = (s + m.start(), s + m.start() + len(clause))
        vote = (
            Vote.MAJORITY
            if _VOTE_MAJORITY.search(clause)
            else Vote.UNANIMOUS
            if _VOTE_UNANIMOUS.search(clause)
            else None
        )
        return Decision(
            outcome, clause.strip(), span, vote, None, has_condition(clause, "decision"), []
        )
    return None


def of_region(
    text: str, region: ItemRegion, following: ItemRegion | None, *, toshin: bool
) -> Decision:
    """The decision on the consultation of `region`; `following` is the next item's region.

    A sheet quoted inside the discussion cuts the region (regions.py), but the discussion
    and its decision go on after it: when the cut region holds no decision, or the decision
    comes after the cut and before the next item is taken up, the uncut region decides.
    """
    start, end = region.start, region.end
    if region.section is not None:
        # a 答申 that answers each 諮問 in a part of its own: the part decides, unless it is silent
        own = decide(text, *region.section, toshin=toshin, number=region.item.number)
        if own.outcome != Outcome.UNKNOWN:
            return own
    decision = decide(text, start, end, toshin=toshin, number=region.item.number)
    whole = region.uncut_end
    if whole is not None and whole > end:
        wider = decide(text, start, whole, toshin=toshin, number=region.item.number)
        after_cut = wider.span is not None and wider.span[0] >= end and following is not None
        if decision.outcome == Outcome.UNKNOWN or after_cut:
            decision = wider
    if region.discussion is not None:
        decision = _with_discussion(decision, decide(text, *region.discussion, toshin=toshin))
    item = region.item
    if decision.outcome == Outcome.UNKNOWN and following is not None and item.number is not None:
        # taken up with the next item (諮問第5号及び第6号について…): decided in its region
        shared = shared_decision(text, item.number, following.start, following.end)
        decision = shared or decision
    if decision.outcome == Outcome.UNKNOWN and item.number is not None and not toshin:
        # decided elsewhere by its number (a results paragraph after the agenda, or a box of
        # the meeting's results above it)
        decision = (
            named_decision(text, item.number, item.end)
            or named_decision(text, item.number, 0)
            or decision
        )
    if decision.outcome != Outcome.UNKNOWN and decision.vote is None and not toshin:
        decision.vote = collective_vote(text, item.end, decision.outcome)
    return decision


_EVERY_ITEM = re.compile(
    r"いずれも|いずれの[^。、]{0,12}も|全て|すべて|全件|各諮問|各案件|各議案|[0-9一二三四五六七八九]件(?:とも|全て|すべて)"
)


def collective_vote(text: str, start: int, outcome: str) -> Vote | None:
    """The vote of a sentence after `start` that decides every item at once with the same outcome
    (`いずれも全会一致で可と答申することとした`): for an item whose own row names none."""
    for s, e in _sentences(text, start, len(text)):
        sentence = text[s:e]
        if not _EVERY_ITEM.search(sentence) or _MENTION.search(sentence):
            continue
        if _classify(sentence) != outcome:
            continue
        if _VOTE_MAJORITY.search(sentence):
            return Vote.MAJORITY
        if _VOTE_UNANIMOUS.search(sentence):
            return Vote.UNANIMOUS
    return None


def _with_discussion(row: Decision, talk: Decision) -> Decision:
    """A results-table row's decision, with what the discussion of the item adds to it.

    The row states the outcome; the summary of the discussion may state the vote, the
    dissent or the opinions attached. They are taken only when both agree on the outcome.
    """
    if row.outcome == Outcome.UNKNOWN:
        return talk
    if talk.outcome != row.outcome:
        return row
    row.vote = row.vote or talk.vote
    row.dissent = row.dissent if row.dissent is not None else talk.dissent
    if talk.has_conditions and not row.has_conditions:
        row.has_conditions = True
        row.condition_spans = row.condition_spans + talk.condition_spans
    return row
