"""The vectorised lexicon-and-rules sentiment scorer behind :func:`cxkit.sentiment`.

One batch of texts becomes flat token arrays (``_text.encode``); per distinct token form the
lexicon gives a valence and a role (negator, booster, contrast word, sentence or clause end);
the rules then run as numpy operations over all tokens at once:

1. phrases ("waste of money", "ikke verdt pengene") replace their words by one valence;
   a "too" marker ("too", "far too", "alt for", "alldeles för") before a scalar word ("late",
   "høj", "högt") makes it a complaint of the marker's valence, and adds half of it to a negative
   word ("alldeles för dyrt"); a positive word after it is left alone ("tak for god service");
2. a booster just before a valenced word (within 3 words, decaying like VADER) adds 0.293 per
   step in the word's direction (diminishers subtract); an all-caps word in a text that is not
   all caps adds 0.733;
3. a negator flips (x -0.74, VADER's factor) each valenced word within the next 3 words of its
   clause; in Danish, Norwegian and Swedish, where the negation follows the verb ("anbefaler
   den ikke"), a negator with no valenced word after it flips the nearest one up to 2 words
   before it;
   a reviewer's own score ("9/10", "4 out of 5", "2 stars"; ``_text.RATING_RE``) adds
   +2.5 at the top score, 0 at 3 of 5, -2.5 at 1 of 5 and below, and is never negated;
4. in a sentence with a contrast word ("but", "men"), words before it count x0.5 and after x1.5;
5. beside a complaint (the rest of the text sums negative), sarcasm cues ("Great, another ...",
   "Thanks a lot") count their rules.tsv value and gratitude words ("thanks", "tak") count 0;
6. the sum per text gains 0.292 per "!" (at most 4) in its own direction, and is normalised to
   [-1, 1] like VADER: ``compound = s / sqrt(s^2 + 15)``.

Explanations list each word or phrase once per text, with its summed contribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from ._lexicon import Lexicon
from ._text import CLAUSE_END, SENTENCE_END, Batch, rating_value

NEGATION_FACTOR = -0.74
CAPS_BOOST = 0.733
EXCLAMATION_BOOST = 0.292
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
NORMALISATION_ALPHA = 15.0
NEGATIVE_WEIGHT = 1.5
# a rating token: share of the top score 1 -> +2.5 (VADER's "great" is 3.1), 0.6 (3 of 5) -> 0,
# 0.2 (1 of 5) and below -> -2.5, linear between
RATING_VALENCE, RATING_NEUTRAL = 2.5, 0.6
_NORDIC = frozenset({"da", "nb", "nn", "sv"})
_BOOSTER_DECAY = (1.0, 0.95, 0.9)


def _shift(a: np.ndarray, k: int, fill: bool | float) -> np.ndarray:
    """``out[i] = a[i - k]`` (k > 0: look back; k < 0: look ahead), ``fill`` outside."""
    out = np.full_like(a, fill)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


def _form_features(batch: Batch, lex: Lexicon) -> tuple[np.ndarray, ...]:
    lowers = batch.lowers
    m = len(lowers)
    val = np.zeros(m)
    neg = np.zeros(m, dtype=bool)
    boost = np.zeros(m)
    contrast = np.zeros(m, dtype=bool)
    sent_end = np.zeros(m, dtype=bool)
    clause_end = np.zeros(m, dtype=bool)
    excl = np.zeros(m, dtype=bool)
    irrealis = np.zeros(m, dtype=bool)
    rating = np.zeros(m)
    negators, boosters, contrasts, irrealis_words = lex.negators, lex.boosters, lex.contrast, lex.irrealis
    for i, w in enumerate(lowers):
        if w[:1].isdigit():
            share = rating_value(w)
            if share is not None:
                rating[i] = RATING_VALENCE * min(max((share - RATING_NEUTRAL) / (1 - RATING_NEUTRAL), -1.0), 1.0)
            continue
        if w in SENTENCE_END:
            sent_end[i] = True
            excl[i] = w == "!"
            continue
        if w in CLAUSE_END:
            clause_end[i] = True
            continue
        w = w.replace("’", "'")
        if w in negators or w.endswith("n't") or w.replace("'", "") in negators:
            neg[i] = True
            continue
        if w in contrasts:
            contrast[i] = True
            continue
        if w in irrealis_words:
            irrealis[i] = True
            continue
        b = boosters.get(w)
        if b is not None:
            boost[i] = b
            if b < 0:  # a diminisher ("litt", "a bit") carries no tone of its own
                continue
        val[i] = lex.valence(w)
    forms = batch.forms
    caps = np.fromiter((len(f) > 1 and f.isupper() for f in forms), dtype=bool, count=len(forms))
    has_lower = np.fromiter((f != f.upper() for f in forms), dtype=bool, count=len(forms))
    return val, neg, boost, contrast, sent_end, clause_end, excl, caps, has_lower, irrealis, rating


def _match_phrases(
    batch: Batch, phrases: dict[tuple[str, ...], float], lower: np.ndarray, doc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Positions where a phrase starts (its number in the returned names), its valence, and a
    mask of all tokens phrases cover; longest phrases first, never overlapping."""
    n = len(lower)
    covered = np.zeros(n, dtype=bool)
    starts_at = np.zeros(n, dtype=np.int64) - 1
    phrase_val = np.zeros(n)
    if not phrases or n == 0:
        return starts_at, phrase_val, covered, []
    # one id per spelling up to the apostrophe: "couldn't" and "couldn’t" can both be in a batch,
    # and a phrase must match either, whatever else the batch holds
    ids: dict[str, int] = {}
    canonical = np.fromiter(
        (ids.setdefault(w.replace("’", "'"), i) for i, w in enumerate(batch.lowers)),
        dtype=np.int64,
        count=len(batch.lowers),
    )
    lower = canonical[lower]
    present: list[tuple[tuple[str, ...], float, list[int]]] = []
    for words, value in phrases.items():
        found = [ids.get(w) for w in words]
        if all(s is not None for s in found):
            present.append((words, value, cast("list[int]", found)))
    if not present:
        return starts_at, phrase_val, covered, []
    present.sort(key=lambda p: -len(p[0]))
    is_first = np.zeros(len(batch.lowers), dtype=bool)
    is_first[[p[2][0] for p in present]] = True
    cand = np.flatnonzero(is_first[lower])
    cand_first = lower[cand]
    names: list[str] = []
    for _number, (words, value, seq) in enumerate(present):
        c = cand[cand_first == seq[0]]
        length = len(seq)
        c = c[c + length <= n]
        ok = np.ones(len(c), dtype=bool)
        for k in range(1, length):
            ok &= (lower[c + k] == seq[k]) & (doc[c + k] == doc[c])
        c = c[ok]
        if len(c) == 0:
            continue
        # longest phrases were matched first; skip overlaps with them
        free = np.ones(len(c), dtype=bool)
        for k in range(length):
            free &= ~covered[c + k]
        c = c[free]
        for k in range(length):
            covered[c + k] = True
        starts_at[c] = len(names)
        names.append(" ".join(words))
        phrase_val[c] = value
    return starts_at, phrase_val, covered, names


def score_batch(batch: Batch, lex: Lexicon, *, explain: int = 3) -> Scores:
    """Score every text of ``batch`` (see :class:`Scores`); ``explain`` words listed per text."""
    n_docs = batch.n_docs
    code = batch.code
    doc = batch.doc
    lower = batch.lower
    n = len(code)
    if n == 0:
        zeros = np.zeros(n_docs)
        empty = np.zeros(0)
        return Scores(
            zeros,
            zeros,
            np.zeros(n_docs, dtype=np.int64),
            [""] * n_docs if explain else None,
            empty,
            np.zeros(0, dtype=object),
            np.zeros(0, dtype=bool),
        )
    fval, fneg, fboost, fcontrast, fsent, fclause, fexcl, fcaps, fhas_lower, firrealis, frating = _form_features(
        batch, lex
    )
    val = fval[lower].copy()
    neg = fneg[lower].copy()
    boost = fboost[lower].copy()
    contrast = fcontrast[lower]
    sent_end = fsent[lower]
    clause_end = fclause[lower] | sent_end | contrast
    excl = fexcl[lower]

    starts_at, phrase_val, covered, phrase_names = _match_phrases(batch, lex.phrases, lower, doc)
    irrealis = firrealis[lower] & ~covered
    val[covered] = 0.0
    neg[covered] = False
    boost[covered] = 0.0
    is_phrase = starts_at >= 0
    val[is_phrase] = phrase_val[is_phrase]
    relabel: dict[int, str] = {}
    if lex.excess:
        _excess(batch, lex, lower, doc, val, neg, boost, covered, relabel)
    sarcasm_start, sarcasm_val, sarcasm_cover, sarcasm_names = _match_phrases(batch, lex.sarcasm, lower, doc)

    new_doc = np.ones(n, dtype=bool)
    new_doc[1:] = doc[1:] != doc[:-1]
    # clause ids: a new clause after each clause/sentence end and at each text start
    clause = np.cumsum(new_doc | _shift(clause_end, 1, False))
    sentence = np.cumsum(new_doc | _shift(sent_end, 1, False))

    # irrealis blocking (Taboada et al. 2011): words in a clause after "would", "if", "expected",
    # ... describe what did not happen ("I expected it to be great"): they carry no sentiment
    if irrealis.any():
        clause_ids = clause
        seen_irrealis = np.cumsum(irrealis)
        first = np.flatnonzero(np.diff(np.concatenate(([0], clause_ids))) != 0)
        base = np.repeat(seen_irrealis[first] - irrealis[first], np.diff(np.append(first, n)))
        blocked = (seen_irrealis - base) > 0
        val[blocked & ~is_phrase] = 0.0

    # boosters act only right before a valenced word; otherwise they keep their own valence
    has_val = val != 0
    active_boost = np.zeros(n, dtype=bool)
    for k in (1, 2):
        active_boost |= (boost != 0) & _shift(has_val, -k, False) & (_shift(clause, -k, -1) == clause)
    val[active_boost] = 0.0
    has_val = val != 0
    sign = np.sign(val)
    delta = np.zeros(n)
    for k, decay in zip((1, 2, 3), _BOOSTER_DECAY):
        b = _shift(np.where(active_boost, boost, 0.0), k, 0.0)
        same = _shift(clause, k, -1) == clause
        delta += np.where(same, b * decay, 0.0)
    # capitals: an all-caps word in a text that also has lower-case words
    doc_has_lower = np.bincount(doc, weights=fhas_lower[code], minlength=n_docs) > 0
    caps = fcaps[code] & doc_has_lower[doc]
    delta += np.where(caps, CAPS_BOOST, 0.0)
    val = np.where(has_val, val + sign * delta, 0.0)
    # a diminisher cannot flip a word's sign
    val = np.where(has_val & (np.sign(val) != sign), sign * 0.05, val)

    # negation: a negator flips every valenced word in the next 3 words of its clause (VADER)
    flips = np.zeros(n, dtype=np.int64)
    negated_any = np.zeros(n, dtype=bool)
    scope = np.zeros(n, dtype=bool)
    for k in (1, 2, 3):
        scope |= _shift(neg, k, False) & (_shift(clause, k, -1) == clause)
        hit = _shift(neg, k, False) & (_shift(clause, k, -1) == clause) & has_val
        flips += hit
        negated_any |= _shift(hit, -k, False)  # this negator found a word after it
    if lex.language in _NORDIC:
        # Nordic negation follows the verb ("anbefaler den ikke"): a negator with no valenced
        # word after it flips the nearest valenced word up to 2 words before it
        idx = np.arange(n)
        prev_val = np.maximum.accumulate(np.where(has_val, idx, -1))
        prev_before = np.insert(prev_val[:-1], 0, -1)
        lonely = np.flatnonzero(neg & ~negated_any)
        back = prev_before[lonely]
        good = back >= 0
        good[good] &= (lonely[good] - back[good] <= 2) & (clause[back[good]] == clause[lonely[good]])
        np.add.at(flips, back[good], 1)
    val = val * np.power(NEGATION_FACTOR, flips)
    # a reviewer's score ("9/10", "4 stars") says what it says: "I didn't give it 5 stars" is
    # still a 4-star review, so no negation, booster or capitals reach it
    val = val + frating[lower]

    # contrast: within a sentence, before the contrast word x0.5, after it x1.5
    if contrast.any():
        c_cum = np.cumsum(contrast)
        sent_start = np.flatnonzero(np.diff(np.concatenate(([0], sentence))) != 0)
        base = np.repeat(c_cum[sent_start] - contrast[sent_start], np.diff(np.append(sent_start, n)))
        seen = c_cum - base  # contrast words up to and including this token in its sentence
        total_in_sentence = np.bincount(sentence, weights=contrast.astype(float))[sentence]
        weight = np.where(seen > 0, CONTRAST_AFTER, np.where(total_in_sentence > 0, CONTRAST_BEFORE, 1.0))
        val = val * weight

    # sarcasm: beside a complaint, "Great, another ..." and "Thanks a lot" mean the opposite, and
    # a polite "thanks" says nothing about the experience
    if sarcasm_cover.any():
        rest = np.bincount(doc, weights=np.where(sarcasm_cover, 0.0, val), minlength=n_docs)
        complaint = (rest < 0)[doc]
        hit = sarcasm_cover & complaint
        val[hit] = 0.0
        cue = (sarcasm_start >= 0) & complaint
        val[cue] = sarcasm_val[cue]
        for pos in np.flatnonzero(cue & (sarcasm_val != 0)).tolist():
            relabel[pos] = sarcasm_names[sarcasm_start[pos]].replace(" ,", ",")

    # negative expressions weigh more (Taboada et al. 2011): reviews lean positive in wording,
    # so a negative word is stronger evidence than a positive one
    val = np.where(val < 0, val * NEGATIVE_WEIGHT, val)
    # float with weights (numpy's stubs type every bincount as integer)
    total: np.ndarray = np.bincount(doc, weights=val, minlength=n_docs)
    n_excl = np.minimum(np.bincount(doc, weights=excl.astype(float), minlength=n_docs), 4)
    total = total + np.sign(total) * n_excl * EXCLAMATION_BOOST
    compound = total / np.sqrt(total * total + NORMALISATION_ALPHA)
    n_sentiment_words = np.bincount(doc, weights=(val != 0).astype(float), minlength=n_docs).astype(np.int64)

    labels = np.array(batch.lowers, dtype=object)[lower]
    if len(phrase_names):
        labels[is_phrase] = np.array(phrase_names, dtype=object)[starts_at[is_phrase]]
    for pos, name in relabel.items():
        labels[pos] = name
    words = top_contributions(doc, val, labels, n_docs, explain) if explain else None
    return Scores(compound, total, n_sentiment_words, words, val, labels, scope)


def _excess(
    batch: Batch,
    lex: Lexicon,
    lower: np.ndarray,
    doc: np.ndarray,
    val: np.ndarray,
    neg: np.ndarray,
    boost: np.ndarray,
    covered: np.ndarray,
    relabel: dict[int, str],
) -> None:
    """ "too" + a scalar or negative word is a complaint ("far too late", "alt for høj",
    "alldeles för dyrt"): changes ``val`` (and the other per-token arrays) in place."""
    starts_at, values, marker_cover, names = _match_phrases(batch, lex.excess, lower, doc)
    starts = np.flatnonzero((starts_at >= 0) & ~covered)
    if len(starts) == 0:
        return
    scalar = np.fromiter((w in lex.scalars for w in batch.lowers), dtype=bool, count=len(batch.lowers))
    is_word = np.fromiter((w[:1].isalpha() for w in batch.lowers), dtype=bool, count=len(batch.lowers))
    lengths = [len(name.split(" ")) for name in names]
    n = len(lower)
    for pos in starts.tolist():
        head = pos + lengths[starts_at[pos]]
        if head >= n or doc[head] != doc[pos] or covered[head] or marker_cover[head]:
            continue
        form = lower[head]
        if not is_word[form]:
            continue
        value = values[pos]
        if scalar[form] and val[head] >= 0:
            val[head] = value
        elif val[head] < 0:
            val[head] = val[head] + 0.5 * value
        else:
            continue
        span = slice(pos, head)
        val[span] = 0.0
        neg[span] = False
        boost[span] = 0.0
        covered[span] = True
        relabel[head] = " ".join([*(batch.lowers[k] for k in lower[span]), batch.lowers[form]])


@dataclass
class Scores:
    """Per text: ``compound``, ``total`` (the sum before normalising), ``n_words``, ``words``;
    per token: ``token_val`` (valence after the rules), ``labels`` (the word or phrase), ``scope``
    (True inside a negation's reach)."""

    compound: np.ndarray
    total: np.ndarray
    n_words: np.ndarray
    words: list[str] | None
    token_val: np.ndarray
    labels: np.ndarray
    scope: np.ndarray


def top_contributions(doc: np.ndarray, contribution: np.ndarray, labels: np.ndarray, n_docs: int, k: int) -> list[str]:
    """The ``k`` largest absolute contributions of each text as "word (+1.9), ..." strings; a
    word or phrase that occurs several times in a text is listed once with its summed contribution."""
    nz = np.flatnonzero(contribution != 0)
    words = [""] * n_docs
    if len(nz) == 0:
        return words
    # one entry per (text, label): the sum of that label's contributions in the text
    label_codes, label_names = pd.factorize(labels[nz])
    key = doc[nz].astype(np.int64) * (len(label_names) + 1) + label_codes
    uniq, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse, weights=contribution[nz], minlength=len(uniq))
    u_doc = uniq // (len(label_names) + 1)
    u_label = np.asarray(label_names, dtype=object)[uniq % (len(label_names) + 1)]
    keep_nonzero = summed != 0
    u_doc, u_label, summed = u_doc[keep_nonzero], u_label[keep_nonzero], summed[keep_nonzero]
    order = np.lexsort((-np.abs(summed), u_doc))
    u_doc, u_label, summed = u_doc[order], u_label[order], summed[order]
    rank = np.arange(len(u_doc)) - np.searchsorted(u_doc, u_doc)
    keep = rank < k
    parts: dict[int, list[str]] = {}
    for pos, label, value in zip(u_doc[keep].tolist(), u_label[keep].tolist(), summed[keep].tolist()):
        parts.setdefault(pos, []).append(f"{label} ({value:+.1f})")
    for i, items in parts.items():
        words[i] = ", ".join(items)
    return words
