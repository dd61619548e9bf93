"""English left on a Danish, Norwegian or Swedish page (issue 28): the words to look for.

The list is common English words (function words and the pack's own vocabulary) that are not
also words of Danish, Norwegian Bokmål or Swedish; words the languages share (``i``, ``at``,
``for``, ``under``, ``over``, ``man``, ``to``, ``per``, ``test``, ``interval``, ``score``, ``rate``,
``driver``, ``data``, ``all``, ``by``, ``be``) are left out, so a hit is English, not a false
alarm. Text from the data (segment names, comments) is removed by the caller before the check.
"""

from __future__ import annotations

import re

ENGLISH_ONLY = frozenset(
    """
    the of and is are was were with from than that this these those which where when what who whom
    why how not each every only also more most less fewer their they them our we you your its it
    has have had will would could should might been being into onto about after before because
    while within without between against among above below higher lower previous last next
    month months year years week weeks day days customer customers respondent respondents rows row
    share shares change changes changed significant significantly confidence intervals mean means
    average overall total per-cent percent points reviews review stage stages churn churned
    drivers key importance performance comment comments theme themes finding findings figure
    table section page pages source sources rejected accepted read usable unusable reason reasons
    yes no none missing available unavailable estimate estimates difference differences trend
    trends channel channels group groups sample samples rating
    ratings sentiment-score promoters detractors passives promoter detractor
    survey surveys response responses weighted unweighted weight weights value values shown
    see because therefore however whether either neither both same other others any some
    """.split()
)

_WORD = re.compile(r"[A-Za-zÆØÅæøåÄÖäöÉé]+(?:-[A-Za-zÆØÅæøåÄÖäöÉé]+)*")


def english_left(text: str, *, allowed: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The English words in ``text`` (lower-cased, each once, in order of appearance), apart
    from ``allowed`` (proper names and data values the caller knows are on the page)."""
    seen: list[str] = []
    for word in _WORD.findall(text):
        low = word.lower()
        if low in ENGLISH_ONLY and low not in allowed and low not in seen:
            seen.append(low)
    return seen
