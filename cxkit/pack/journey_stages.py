"""The "Journey stages" page: where in the journey, and at which touchpoints, the experience is
worst, and how many customers make it from one stage to the next.

:class:`JourneyReport` computes the page's analyses once (the stage comparison, the survey
scorecard, the funnel and its months, pain points, task success, channel consistency) and
offers them by the page protocol (:mod:`cxkit.pack.page`): ``findings``, ``alt``,
``results()`` (the ``journey`` part of ``results.json``), ``sections`` and ``show(name)``.
The findings sentences live here, beside the page: each claims a difference only when its
test is significant.

The page stands alone on whatever journey export it gets (issue 23): an analysis the data cannot
give (no survey source, no scores, no customer ids to link touchpoint events into journeys, no
dates or only one month for the monthly funnel, no touchpoint names, no channel pair, no task
outcome) leaves its sections one sentence saying what is missing and what would make it
possible, and the rest is built. An export without dates is reported whole; one row per session
without ids counts each row as a journey; more than :data:`MAX_SHOWN` touchpoints are listed in
part, and the page says how many there are.

Examples
--------
>>> import cxkit as cx
>>> page = cx.JourneyReport.from_catalog(cx.load_catalog(cx.DEFAULT_CATALOG), month="2026-10")
>>> page.month, page.results()["journey"]["lowest_stage"]["stage"]
('2026-10', 'decision')
>>> list(page.sections)[:3]
['stages', 'stages_table', 'omnibus']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, SupportsInt, cast

import numpy as np
import pandas as pd

from ..analysis.funnel import funnel as funnel_table
from ..analysis.funnel import funnel_by_month
from ..analysis.sentiment import comment_sentiment
from ..analysis.stages import StageComparison, compare_stages, stage_scorecard
from ..analysis.touchpoints import channel_consistency, pain_points, touchpoint_performance
from ..analysis.weighting import weighting_statement
from ..data.schema import STAGES, TABLES
from ..display import SafeHTML, figure, metric_label, safe_text, table
from ..distributed import compute, is_dask_frame
from ..errors import NotEnoughDataError
from ..i18n import N_, date, decimal, integer, month, ntr, p_value, percent, tr, translate
from ..periods import month_events, parse_month
from ..plots import TREND_MONTHS, month_label, plot_funnel, plot_funnel_by_month, plot_pain_points, plot_stages
from .nps_drivers import weighted_feedback, weighting_facts, weighting_sentence
from .page import ReportPage, section

if TYPE_CHECKING:
    import dask.dataframe as dd

    from ..data.catalog import Catalog

__all__ = [
    "JourneyReport",
    "journey_findings",
    "journey_results",
    "stage_finding",
    "funnel_finding",
    "monthly_finding",
    "pain_finding",
    "scorecard_view",
    "scorecard_records",
]


#: The most touchpoints a table or chart of the page lists (pain points: the ranked ones first,
#: then the most used; task success: the lowest rates); the caption says how many there are (a
#: free-text touchpoint column with 100 names would give 100 unreadable rows).
MAX_SHOWN = 15

_STAGE, _TIME, _CUSTOMER = "journey_stage", "occurred_at", "customer_id"


@dataclass(frozen=True)
class _Profile:
    """What a journey table holds, counted once (on the cluster, for a Dask table): its events,
    the filled values of each canonical column, the span of its event times, and the events and
    scores at each stage."""

    rows: int
    filled: dict[str, int]
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    stages: dict[str, int]
    scored: dict[str, int]

    def has(self, column: str) -> bool:
        return self.filled.get(column, 0) > 0


def _filled(frame: pd.DataFrame | dd.DataFrame, columns: list[str]) -> dict[str, int]:
    """Non-missing values of each of ``columns`` that the table has."""
    present = [c for c in dict.fromkeys(columns) if c in frame.columns]
    if not present:
        return {}
    counts = frame[present].count()
    if is_dask_frame(counts):
        (counts,) = compute(counts)
    return {c: int(counts[c]) for c in present}


def _profile(frame: pd.DataFrame | dd.DataFrame, score: str) -> _Profile:
    columns = [_STAGE, _TIME, _CUSTOMER, score, "touchpoint", "channel", "segment", "success", "duration_s"]
    present = [c for c in dict.fromkeys(columns) if c in frame.columns]
    parts: list[Any] = [frame[present].count(), frame[_STAGE].value_counts()]
    if score in frame.columns:
        parts.append(frame[~frame[score].isna()][_STAGE].value_counts())  # Dask has no notna
    if _TIME in frame.columns:
        parts += [frame[_TIME].min(), frame[_TIME].max()]
    if is_dask_frame(frame):
        parts = list(compute(*parts))
    counts, stages = parts[0], parts[1]
    scored = parts[2] if score in frame.columns else pd.Series(dtype="int64")
    first, last = (parts[-2], parts[-1]) if _TIME in frame.columns else (None, None)
    return _Profile(
        rows=int(counts.get(_STAGE, 0)),
        filled={c: int(counts[c]) for c in present},
        first=None if pd.isna(first) else pd.Timestamp(first),
        last=None if pd.isna(last) else pd.Timestamp(last),
        stages=_in_journey_order({str(k): int(v) for k, v in stages.items() if v > 0}),
        scored=_in_journey_order({str(k): int(v) for k, v in scored.items() if v > 0}),
    )


def _in_journey_order(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: STAGES.index(kv[0]) if kv[0] in STAGES else len(STAGES)))


def _scale(frame: pd.DataFrame | dd.DataFrame, score: str) -> tuple[float, float] | None:
    """The score's scale: the reader's (catalog ``scales``), else the journey table's default."""
    given = (getattr(frame, "attrs", None) or {}).get("scales", {}).get(score)
    if given is not None:
        return float(given[0]), float(given[1])
    spec = TABLES["journey"].column(score)
    if spec is None or spec.low is None or spec.high is None:
        return None
    return float(spec.low), float(spec.high)


def _within_scale(table: pd.DataFrame, scale: tuple[float, float] | None) -> pd.DataFrame:
    """Intervals of a mean shown within the score's scale (the mean of a 1-5 score is in 1-5; a
    t interval of two scores is not)."""
    if scale is None:
        return table
    return table.assign(**{c: table[c].clip(*scale) for c in ("ci_low", "ci_high") if c in table})


def _and(names: Iterable[object]) -> str:
    items = [str(n) for n in names]
    return items[0] if len(items) == 1 else tr("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


#: The journey stages in the reader's language: cxkit's own vocabulary (stage names of the data
#: that are not cxkit's are shown as they are).
_STAGE_NAMES = {
    "awareness": N_("awareness"),
    "consideration": N_("consideration"),
    "decision": N_("decision"),
    "retention": N_("retention"),
    "advocacy": N_("advocacy"),
}

#: Headers of the page's own table columns (the shared ones are display.COLUMN_LABELS).
_HEADERS = {
    "stage": N_("stage"),
    "mean": N_("mean"),
    "median": N_("median"),
    "letters": N_("letters"),
    "test": N_("test"),
    "statistic": N_("statistic"),
    "significant": N_("significant"),
    "effect_size": N_("effect size"),
    "reference": N_("reference"),
    "estimable": N_("estimable"),
    "note": N_("note"),
    "reached": N_("reached"),
    "share_of_start": N_("share of start"),
    "conversion": N_("conversion"),
    "drop_off": N_("drop off"),
    "drop_off_rate": N_("drop off rate"),
    "median_days": N_("median days"),
    "n_timed": N_("n timed"),
    "month": N_("month"),
    "step": N_("step"),
    "entered": N_("entered"),
    "converted": N_("converted"),
    "previous": N_("previous"),
    "change": N_("change"),
    "touchpoint": N_("touchpoint"),
    "segment": N_("segment"),
    "channel": N_("channel"),
    "rank": N_("rank"),
    "volume": N_("volume"),
    "poor_share": N_("poor share"),
    "excess_poor": N_("excess poor"),
    "significantly_worse": N_("significantly worse"),
    "events": N_("events"),
    "success_n": N_("success n"),
    "success_rate": N_("success rate"),
    "success_ci_low": N_("success 95% CI"),
    "success_p_adjusted": N_("success p adj"),
    "lowest_success": N_("lowest success"),
    "duration_n": N_("duration n"),
    "median_duration_s": N_("median duration s"),
    "duration_ci_low": N_("duration 95% CI"),
    "channels": N_("channels"),
    "spread": N_("spread"),
    "consistent": N_("consistent"),
    "sentiment": N_("sentiment"),
}

#: Cell values of the page's tables that cxkit writes (test names, notes), in the reader's language.
_CELLS = {
    "Proportional odds": N_("Proportional odds"),
    "separated: not estimable": N_("separated: not estimable"),
}


def _mapping(column: str) -> str:
    """A catalog ``columns`` entry for a sentence that says what to map: ``{touchpoint: <its column>}``."""
    return "{" + column + ": <" + tr("its column") + ">}"


def _stage(name: object) -> str:
    """A journey stage as the reader's language names it (a stage of the data's own as it is)."""
    text = str(name)
    return translate(_STAGE_NAMES[text]) if text in _STAGE_NAMES else text


def _headers(frame: pd.DataFrame, **overrides: str) -> dict[str, str]:
    """``labels`` for :func:`~cxkit.display.table`: the headers of the page's own columns."""
    found = {str(c): translate(_HEADERS[str(c)]) for c in frame.columns if str(c) in _HEADERS}
    return {**found, **overrides}


def _in_words(frame: pd.DataFrame, *stages: str) -> pd.DataFrame:
    """``frame`` with the stage names of the ``stages`` columns, the steps (``a->b``), months and
    cxkit's own cell texts in the reader's language (the numbers are untouched)."""
    out: dict[str, Any] = {}
    for column in frame.columns:
        name = str(column)
        if name in stages:
            out[name] = [_stage(v) if isinstance(v, str) else v for v in frame[column]]
        elif name == "step":
            out[name] = ["->".join(map(_stage, v.split("->"))) if isinstance(v, str) else v for v in frame[column]]
        elif name == "month":
            out[name] = [month(v) if isinstance(v, str) else v for v in frame[column]]
        elif name in ("test", "note"):
            out[name] = [translate(_CELLS[v]) if isinstance(v, str) and v in _CELLS else v for v in frame[column]]
    return frame.assign(**out) if out else frame


class JourneyReport(ReportPage):
    """The journey page of one month (see the module docstring).

    Each analysis stands alone (issue 23): one the data cannot give (no scores, no customer ids
    to link events into journeys, no dates for the months, no touchpoint names, no survey) is
    kept in ``unavailable`` with one sentence saying what is missing and what would make it
    possible, its sections show that sentence, and the rest of the page is built. A journey
    export without dates is reported whole (its events are the month's, as the runner takes an
    undated source to cover any month), and the page says so.

    Parameters
    ----------
    journey : DataFrame or Dask DataFrame
        The canonical journey table (every month: the funnel counts customers since the data
        begin); a Dask DataFrame is reduced partition by partition.
    feedback : DataFrame or callable, optional
        Survey responses for the stage scorecard: a table (its rows of the report month are
        used), or a function ``month -> DataFrame`` that reads that month's rows. None leaves
        the scorecard out (its section says why).
    weights : dict, optional
        The catalog's ``weights:`` section: the month's survey responses are weighted to it as
        on the NPS page (:func:`cxkit.pack.nps_drivers.weighted_feedback`), the scorecard's
        values, tests and intervals are weighted (effective n beside n), the section says so
        and keeps the unweighted scorecard in a table below; ``weighting`` holds how, and
        ``scorecard_unweighted`` the unweighted table. None: unweighted.
    month : str
        ``YYYY-MM``; ``""`` means the last complete month in the journey data.
    score : str, default "csat"
        The touchpoint score compared across stages and touchpoints.
    alpha, padjust, min_n
        Significance level, p-value adjustment of the pairwise tests, and the fewest scores a
        touchpoint needs to be ranked or compared across channels.
    top : int, default 15
        The most touchpoints a table or chart lists (the worst first); captions say how many
        there are in all.
    """

    title = N_("Journey stages")

    def __init__(
        self,
        journey: pd.DataFrame | dd.DataFrame,
        *,
        feedback: pd.DataFrame | Callable[[str], pd.DataFrame] | None = None,
        month: str = "",
        score: str = "csat",
        alpha: float = 0.05,
        padjust: str = "holm",
        min_n: int = 30,
        top: int = MAX_SHOWN,
        weights: dict[str, Any] | None = None,
    ):
        self.score, self.alpha, self.padjust, self.min_n, self.top = score, alpha, padjust, min_n, top
        self._weights = weights
        #: How the survey responses of the scorecard are weighted (``{}`` unweighted): the
        #: facts of :func:`~cxkit.pack.nps_drivers.weighting_facts`, ``statement`` and ``by_stage``
        #: (responses and effective n per stage).
        self.weighting: dict[str, Any] = {}
        #: The scorecard without weights, when the page is weighted.
        self.scorecard_unweighted: pd.DataFrame | None = None
        self._scale = _scale(journey, score)
        if _filled(journey, [_TIME]).get(_TIME, 0):
            events = month_events(journey, month)
            self.month = events.attrs["month"]
            history = month_events(journey, self.month, through=True)
        else:  # an export without dates: all its events are reported, as covering the month
            events = history = journey
            self.month = str(parse_month(month)) if month else ""
        self._events, self._history = _profile(events, score), _profile(history, score)
        first, last = self._history.first, self._history.last
        #: The events carry dates; ``timed``: more than one (a fieldwork month dates every event alike).
        self.dated = first is not None
        self.timed = first is not None and last is not None and first < last
        #: What the funnel counts: customers, or journeys (each row one) when there are no ids.
        self.unit = "customers" if self._history.has(_CUSTOMER) else "journeys"
        self.stages = self.attempt("stages", self._compute_stages, events)
        self.scorecard = self.attempt("scorecard", self._compute_scorecard, feedback)
        self.funnel = self.attempt("funnel", self._compute_funnel, history)
        self.months = self.attempt("months", self._compute_months, history)
        self.pain = self.attempt("pain", self._compute_pain, events)
        self.performance = self.attempt("performance", self._compute_performance, events)
        self.consistency = self.attempt("consistency", self._compute_consistency, events)

    @classmethod
    def from_catalog(cls, sources: Catalog, *, month: str = "", **options: Any) -> JourneyReport:
        """The page from a catalog's ``journey`` source (scanned: a big table stays out of
        memory) and the report month's rows of its ``feedback`` source, when it has one."""
        feedback = (lambda m: sources.read("feedback", month=m)) if "feedback" in sources else None
        spec = getattr(sources, "weights", None)
        if spec and "weights" not in options:
            options["weights"] = spec
        return cls(sources.scan("journey"), feedback=feedback, month=month, **options)

    # -- the analyses, each attempted (a CxkitError is the section's reason) --------------

    @property
    def period(self) -> str:
        """The events reported on, as captions name them: the month, or all of an undated export."""
        return month(self.month) if self.dated else tr("all events (the export has no dates)")

    def _the_events(self) -> str:
        return tr("the journey events of {month}", month=month(self.month)) if self.dated else tr("the journey events")

    def _need_events(self) -> None:
        if self._events.rows == 0:
            raise NotEnoughDataError(
                tr(
                    "there are no journey events in {month}, so the month has nothing to report; "
                    "choose a month the journey data cover.",
                    month=month(self.month),
                )
            )

    def _need_score(self) -> None:
        label = metric_label(self.score)
        if self._events.has(self.score):
            return
        if self._history.has(self.score):
            raise NotEnoughDataError(
                tr(
                    "{events} have no {label} scores ({score}), so stages and touchpoints cannot be compared on "
                    "them this month; they are for a month whose events carry {label} scores.",
                    events=self._the_events(),
                    label=label,
                    score=self.score,
                )
            )
        raise NotEnoughDataError(
            tr(
                "the journey events have no {label} scores ({score}), so stages and touchpoints cannot be "
                "compared on a score; map a touchpoint score with columns: {mapping} in the catalog.",
                label=label,
                score=self.score,
                mapping=_mapping(self.score),
            )
        )

    def _need_touchpoints(self) -> None:
        if not self._events.has("touchpoint"):
            raise NotEnoughDataError(
                tr(
                    "{events} name no touchpoint, so there are no pain points or channel comparisons; "
                    "map the touchpoint with columns: {mapping} in the catalog.",
                    events=self._the_events(),
                    mapping=_mapping("touchpoint"),
                )
            )

    def _need_journeys(self) -> None:
        if self._history.rows == 0:
            raise NotEnoughDataError(
                tr(
                    "there are no journey events up to {month}, so there is no funnel; "
                    "choose a month the journey data cover.",
                    month=month(self.month),
                )
            )
        if not self._history.has(_CUSTOMER) and self._history.has("touchpoint"):
            # touchpoint events of many customers; without ids each would count as a journey
            raise NotEnoughDataError(
                tr(
                    "the journey events have no customer ids, so they cannot be linked into journeys and the "
                    "funnel cannot count customers; map customer_id with columns: {mapping} in the catalog.",
                    mapping=_mapping("customer_id"),
                )
            )

    def _compute_stages(self, events: pd.DataFrame | dd.DataFrame) -> StageComparison:
        self._need_events()
        self._need_score()
        enough = [s for s, n in self._events.scored.items() if n >= 2]
        if len(enough) < 2:
            label = metric_label(self.score)
            if enough and self.dated:
                text = tr(
                    "only {stage} has two or more {label} scores in {month}, so there are no stages to compare; "
                    "the comparison needs scores at two stages or more.",
                    stage=_stage(enough[0]),
                    label=label,
                    month=month(self.month),
                )
            elif enough:
                text = tr(
                    "only {stage} has two or more {label} scores, so there are no stages to compare; "
                    "the comparison needs scores at two stages or more.",
                    stage=_stage(enough[0]),
                    label=label,
                )
            elif self.dated:
                text = tr(
                    "no stage has two or more {label} scores in {month}, so there are no stages to compare; "
                    "the comparison needs scores at two stages or more.",
                    label=label,
                    month=month(self.month),
                )
            else:
                text = tr(
                    "no stage has two or more {label} scores, so there are no stages to compare; "
                    "the comparison needs scores at two stages or more.",
                    label=label,
                )
            raise NotEnoughDataError(text)
        return compare_stages(events, score=self.score, stage=_STAGE, alpha=self.alpha, padjust=self.padjust)

    def _compute_scorecard(self, feedback: pd.DataFrame | Callable[[str], pd.DataFrame] | None) -> pd.DataFrame:
        if feedback is None:
            raise NotEnoughDataError(
                tr(
                    "the catalog has no feedback source, so there are no survey scores by stage; add a feedback "
                    "source (survey responses with a journey_stage column) to see NPS, CSAT and CES by stage."
                )
            )
        responses = feedback(self.month) if callable(feedback) else month_events(feedback, self.month)
        if responses.empty:
            raise NotEnoughDataError(
                tr(
                    "the survey has no responses in {month}, so there are no survey scores by stage this month; "
                    "they show for a month the survey covers.",
                    month=month(self.month),
                )
            )
        if _STAGE not in responses.columns or not responses[_STAGE].notna().any():
            raise NotEnoughDataError(
                tr(
                    "the survey responses name no journey stage, so they cannot be scored by stage; map the stage "
                    "with columns: {mapping} in the feedback source.",
                    mapping=_mapping("journey_stage"),
                )
            )
        responses = responses.assign(sentiment=comment_sentiment(responses))
        if not self._weights:
            return stage_scorecard(responses, alpha=self.alpha)
        responses, column, info = weighted_feedback(responses, self._weights)
        card = stage_scorecard(responses, alpha=self.alpha, weights=column)
        self.scorecard_unweighted = stage_scorecard(responses.drop(columns=column), alpha=self.alpha)
        facts = weighting_facts(responses[column], info)
        staged = responses[responses[_STAGE].notna()]
        by_stage = {
            str(name): {"n": int(part.size), "n_eff": float(part.sum() ** 2 / (part**2).sum())}
            for name, part in staged.groupby(_STAGE, sort=False, observed=True)[column]
        }
        self.weighting = {**facts, "statement": weighting_statement(facts), "by_stage": by_stage}
        return card

    def _compute_funnel(self, history: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_journeys()
        return funnel_table(history, time=_TIME if self.timed else None, alpha=self.alpha)

    def _compute_months(self, history: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_journeys()
        if not self.dated:
            raise NotEnoughDataError(
                tr(
                    "the journey events have no dates (occurred_at), so there is no funnel by month; map the "
                    "event time with columns: {mapping} in the catalog.",
                    mapping=_mapping("occurred_at"),
                )
            )
        if not self.timed:
            raise NotEnoughDataError(
                tr(
                    "every journey event carries the same date, {date} (a fieldwork month given for an export "
                    "without dates), so there is no funnel by month; map the event time with columns: {mapping} "
                    "in the catalog.",
                    date=date(cast(pd.Timestamp, self._history.first)),
                    mapping=_mapping("occurred_at"),
                )
            )
        months = funnel_by_month(history, time=_TIME, alpha=self.alpha)
        if months["month"].nunique() < 2:
            raise NotEnoughDataError(
                tr(
                    "the journey data cover one month, {month}, so there is no funnel trend by month; "
                    "it is drawn once the data have a second month.",
                    month=month(self.month),
                )
            )
        return months

    def _compute_pain(self, events: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_events()
        self._need_score()
        self._need_touchpoints()
        pain = pain_points(events, score=self.score, min_n=self.min_n, alpha=self.alpha)
        if not pain["enough_n"].any():
            values = {"min_n": integer(self.min_n), "label": metric_label(self.score), "most": integer(pain["n"].max())}
            if self.dated:
                raise NotEnoughDataError(
                    tr(
                        "no touchpoint has {min_n} or more {label} scores in {month} (the most is {most}), so none "
                        "is ranked as a pain point; a touchpoint is ranked once it has {min_n} scores.",
                        month=month(self.month),
                        **values,
                    )
                )
            raise NotEnoughDataError(
                tr(
                    "no touchpoint has {min_n} or more {label} scores (the most is {most}), so none is ranked as "
                    "a pain point; a touchpoint is ranked once it has {min_n} scores.",
                    **values,
                )
            )
        return pain

    def _compute_performance(self, events: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_events()
        by = "touchpoint" if self._events.has("touchpoint") else "segment" if self._events.has("segment") else ""
        if not by:
            raise NotEnoughDataError(
                tr(
                    "{events} name no touchpoint or segment, so task success and duration cannot be broken down; "
                    "map the touchpoint with columns: {mapping} in the catalog.",
                    events=self._the_events(),
                    mapping=_mapping("touchpoint"),
                )
            )
        if not (self._events.has("success") or self._events.has("duration_s")):
            column = tr("its column")
            raise NotEnoughDataError(
                tr(
                    "{events} have no task outcome (success) or duration (duration_s), so task success and "
                    "duration cannot be shown; map them with columns: {mapping} in the catalog.",
                    events=self._the_events(),
                    mapping="{success: <" + column + ">, duration_s: <" + column + ">}",
                )
            )
        return touchpoint_performance(events, by=by, alpha=self.alpha, min_n=self.min_n)

    def _compute_consistency(self, events: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_events()
        self._need_score()
        self._need_touchpoints()
        if not self._events.has("channel"):
            raise NotEnoughDataError(
                tr(
                    "{events} name no channel, so the same touchpoint cannot be compared across channels; map "
                    "the channel with columns: {mapping} in the catalog.",
                    events=self._the_events(),
                    mapping=_mapping("channel"),
                )
            )
        try:
            return channel_consistency(events, score=self.score, min_n=self.min_n, alpha=self.alpha)
        except NotEnoughDataError:
            values = {"min_n": integer(self.min_n), "label": metric_label(self.score)}
            if self.dated:
                text = tr(
                    "no touchpoint has {min_n} or more {label} scores from one channel in {month}, so the channels "
                    "cannot be compared; a touchpoint is compared once two of its channels have {min_n} scores each.",
                    month=month(self.month),
                    **values,
                )
            else:
                text = tr(
                    "no touchpoint has {min_n} or more {label} scores from one channel, so the channels cannot be "
                    "compared; a touchpoint is compared once two of its channels have {min_n} scores each.",
                    **values,
                )
            raise NotEnoughDataError(text) from None

    # -- what the page says --------------------------------------------------------------

    @property
    def findings(self) -> list[str]:
        found = journey_findings(
            self.stages,
            scorecard=self.scorecard,
            funnel=self.funnel,
            months=self.months,
            month=self.month,
            pain=self.pain,
            performance=self.performance,
            consistency=self.consistency,
            alpha=self.alpha,
            unit=self.unit,
        )
        left_out = self._stages_left_out()
        if left_out:
            found.insert(1, left_out)
        if self.weighting and self.scorecard is not None:  # before the scorecard's findings
            at = (self.stages is not None) + bool(left_out)
            found.insert(at, tr("Survey scores by stage: {statement}", statement=weighting_sentence(self.weighting)))
        pain = self.pain is not None and len(self.pain) > self.top
        performance = self.performance is not None and len(self.performance) > self.top
        if pain or performance:
            found.append(self._readable(pain, performance))
        return found or [tr("The journey data give no finding; each section above says what it needs.")]

    def _readable(self, pain: bool, performance: bool) -> str:
        """The finding that says which tables list some touchpoints only."""
        top, total = integer(self.top), integer(len(self.pain) if self.pain is not None else 0)
        if not performance:
            return tr(
                "To stay readable, the pain points show {top} of {total} (the ranked ones first, then the most used).",
                top=top,
                total=total,
            )
        table = cast(pd.DataFrame, self.performance)
        by, rates = str(table.columns[0]), "success_rate" in table
        if by == "touchpoint" and rates:
            what = tr("task success the {top} touchpoints with the lowest success rates", top=top)
        elif by == "touchpoint":
            what = tr("task success the {top} touchpoints with the most events", top=top)
        elif by == "segment" and rates:
            what = tr("task success the {top} segments with the lowest success rates", top=top)
        elif by == "segment":
            what = tr("task success the {top} segments with the most events", top=top)
        elif rates:
            what = tr("task success the {top} {names} with the lowest success rates", top=top, names=by + "s")
        else:
            what = tr("task success the {top} {names} with the most events", top=top, names=by + "s")
        if not pain:
            return tr("To stay readable, {what}.", what=what)
        return tr(
            "To stay readable, the pain points show {top} of {total} (the ranked ones first, then the most used) "
            "and {what}.",
            top=top,
            total=total,
            what=what,
        )

    def _stages_left_out(self) -> str:
        """The stages of the journey data that the month's stage comparison has no scores for."""
        if self.stages is None:
            return ""
        compared = set(map(str, self.stages.stages["stage"]))
        seen = [s for s in self._history.stages if s not in compared]
        if not seen:
            return ""
        label, when = metric_label(self.score), tr(" in {month}", month=month(self.month)) if self.dated else ""
        idle = [s for s in seen if not self._events.stages.get(s)]
        few = [s for s in seen if s not in idle]
        parts = []
        if idle:
            parts.append(
                ntr(
                    "{stages} has no journey events{when}",
                    "{stages} have no journey events{when}",
                    len(idle),
                    stages=_and(map(_stage, idle)),
                    when=when,
                )
            )
        if few:
            parts.append(
                ntr(
                    "{stages} has fewer than two {label} scores{when}",
                    "{stages} have fewer than two {label} scores{when}",
                    len(few),
                    stages=_and(map(_stage, few)),
                    label=label,
                    when=when,
                )
            )
        sentence = ntr(
            "{reasons}, so it is left out of the stage comparison.",
            "{reasons}, so they are left out of the stage comparison.",
            len(seen),
            reasons="; ".join(parts),
        )
        return sentence[:1].upper() + sentence[1:]

    @property
    def alt(self) -> dict[str, str]:
        alt = {}
        if self.stages is not None:
            alt["stages"] = stage_finding(self.stages)
        if self.funnel is not None:
            alt["funnel"] = funnel_finding(self.funnel, unit=self.unit)
        if self.months is not None:
            alt["months"] = monthly_finding(self.months, self.month)
            shown = self._chart_months()["month"].nunique()
            if shown < self.months["month"].nunique():
                alt["months"] += " " + tr(
                    "The chart shows the last {shown} of {total} months.",
                    shown=integer(shown),
                    total=integer(self.months["month"].nunique()),
                )
        if self.pain is not None:
            alt["pain"] = pain_finding(self.pain)
            if len(self._pain_chart_rows()) < len(self.pain):
                alt["pain"] += " " + tr(
                    "The chart shows {shown} of the {total} touchpoints: those ranked, then the most used.",
                    shown=integer(len(self._pain_chart_rows())),
                    total=integer(len(self.pain)),
                )
        return alt

    def results(self) -> dict:
        by_touchpoint = self.performance is not None and self.performance.columns[0] == "touchpoint"
        part = journey_results(
            self.stages,
            pain=self.pain,
            funnel=self.funnel,
            months=self.months,
            month=self.month,
            performance=self.performance if by_touchpoint else None,
            score=self.score,
            unit=self.unit,
        )
        if self.weighting and self.scorecard is not None and self.scorecard_unweighted is not None:
            # weighted survey scores by stage: both scorecards, and how they are weighted
            part["weighting"] = self.weighting
            part["scorecard"] = {
                "weighted": scorecard_records(self.scorecard),
                "unweighted": scorecard_records(self.scorecard_unweighted),
            }
        return {"journey": part}

    def _chart_months(self) -> pd.DataFrame:
        """The monthly funnel of the last :data:`~cxkit.plots.TREND_MONTHS` months, labelled ``Oct 2026``."""
        months = self.need(self.months, "months")
        last = list(dict.fromkeys(months["month"]))[-TREND_MONTHS:]
        shown = months[months["month"].isin(last)]
        return shown.assign(month=[month_label(m) for m in shown["month"]])

    def _pain_rows(self) -> pd.DataFrame:
        """The pain points shown: all of them, or (more than ``top``) the ranked ones first, then
        the unranked ones with the most events; intervals within the score's scale."""
        pain = self.need(self.pain, "pain")
        if len(pain) > self.top:
            ranked = pain["rank"].notna()
            pain = pd.concat([pain[ranked], pain[~ranked].sort_values("volume", ascending=False, kind="stable")])
        return _within_scale(pain.head(self.top), self._scale)

    def _pain_chart_rows(self) -> pd.DataFrame:
        rows = self._pain_rows()
        return rows[rows["n"] > 0]

    def _of_all(self, shown: int, total: int, what: str) -> str:
        """A caption's note when a table lists some touchpoints only."""
        if total <= shown:
            return ""
        return " " + tr(
            "({shown} of {total} touchpoints: {what})", shown=integer(shown), total=integer(total), what=what
        )

    # -- sections, in page order ---------------------------------------------------------

    @section("stages")
    def _stages_chart(self):
        """Mean score by stage with 95% intervals and the significance letters."""
        stages = self.need(self.stages, "stages")
        return figure(plot_stages(stages).figure, alt=self.alt["stages"])

    @section("stages_table")
    def _stages_table(self):
        """The numbers behind the chart."""
        stages = _within_scale(self.need(self.stages, "stages").stages, self._scale)
        return table(
            _in_words(stages, "stage"),
            caption=tr("{label} by journey stage, {period}", label=metric_label(self.score), period=self.period),
            digits=2,
            labels=_headers(stages),
        )

    @section("omnibus")
    def _omnibus(self):
        """Omnibus tests with effect sizes."""
        omnibus = self.need(self.stages, "stages").omnibus
        return table(
            _in_words(omnibus),
            caption=tr("Omnibus tests and effect sizes"),
            digits={"statistic": 2, "df1": 0, "df2": 1, "effect_size": 3},
            labels=_headers(omnibus),
        )

    @section("pairs")
    def _pairs(self):
        """Games-Howell pairwise comparisons."""
        pairs = self.need(self.stages, "stages").pairs("games-howell")
        shown = pairs[["a", "b", "diff", "ci_low", "ci_high", "p_adjusted", "significant", "effect_size"]]
        return table(
            _in_words(shown, "a", "b"),
            caption=tr("Games-Howell pairwise comparisons (effect size: Hedges' g)"),
            digits=2,
            labels=_headers(shown),
        )

    @section("ordinal")
    def _ordinal(self):
        """The proportional-odds model."""
        stages = self.need(self.stages, "stages")
        if stages.ordinal is None:
            raise NotEnoughDataError(
                tr(
                    "the {label} scores are not whole numbers on a short scale, so there is no proportional-odds "
                    "model; it is fitted for scores such as CSAT 1-5.",
                    label=metric_label(self.score),
                )
            )
        return table(
            _in_words(stages.ordinal, "stage", "reference"),
            caption=tr("Proportional-odds model (logit), odds ratios against awareness"),
            digits=2,
            labels=_headers(stages.ordinal),
        )

    @section("scorecard")
    def _scorecard(self):
        """NPS, CSAT, CES and comment sentiment by stage."""
        view = scorecard_view(self.need(self.scorecard, "scorecard"))
        caption = tr("Survey scores by stage with 95% confidence intervals, {month}", month=month(self.month))
        if not self.weighting or self.scorecard_unweighted is None:
            return table(_in_words(view, "stage"), caption=caption, labels=_headers(view))
        # weighted: the statement, the weighted scorecard with the responses and the effective n
        # of each stage, and the unweighted scorecard below (as the NPS page's headline)
        counts = self.weighting["by_stage"]
        view.insert(1, "n", [counts.get(str(s), {}).get("n", 0) for s in view["stage"]])
        view.insert(2, "n_eff", [counts.get(str(s), {}).get("n_eff", float("nan")) for s in view["stage"]])
        shown = table(
            _in_words(view, "stage"),
            caption=caption,
            labels=_headers(view, n_eff=tr("effective n")),
            digits={"n": 0, "n_eff": 0},
        )
        plain = scorecard_view(self.scorecard_unweighted)
        below = table(
            _in_words(plain, "stage"),
            caption=tr("The same KPIs unweighted (every response counted once)"),
            labels=_headers(plain),
        )
        statement = weighting_sentence(self.weighting)
        html = f'<p class="cx-weighting">{safe_text(statement)}</p>' + shown.html + below.html
        return SafeHTML(html, text="\n\n".join([statement, shown.text, below.text]))

    @section("funnel")
    def _funnel_chart(self):
        """Customers reaching each stage."""
        journeys = self.unit == "journeys"
        title = tr("Journeys reaching each stage") if journeys else tr("Customers reaching each stage")
        ax = plot_funnel(self.need(self.funnel, "funnel"), title=title)
        ax.set_xlabel(tr("journeys") if journeys else tr("customers"))
        return figure(ax.figure, alt=self.alt["funnel"])

    @section("funnel_table")
    def _funnel_table(self):
        """Conversion, drop-off and time between stages."""
        funnel = self.need(self.funnel, "funnel")
        caption = tr("Funnel")
        if self.unit == "journeys":
            caption = tr("Funnel (each row of the export is one journey: it has no customer ids)")
        if not funnel["median_days"].notna().any():  # no time between stages without event times
            funnel = funnel.drop(columns=["median_days", "n_timed"])
        return table(
            _in_words(funnel, "stage"),
            caption=caption,
            digits=1,
            percent=["share_of_start", "conversion", "drop_off_rate"],
            labels=_headers(funnel),
        )

    @section("months")
    def _months_chart(self):
        """Each month's conversions."""
        return figure(plot_funnel_by_month(self._chart_months()).figure, alt=self.alt["months"])

    @section("month_changes")
    def _month_changes(self):
        """The report month's conversions against the month before."""
        months = self.need(self.months, "months")
        report_month = month(self.month)
        month_rows = months[(months["month"] == self.month) & (months["entered"] > 0)]
        this = month_rows[month_rows["conversion"].notna()]
        if this.empty:
            raise NotEnoughDataError(
                tr("there are no journey events in {month}, so there is no change to show.", month=report_month)
            )
        unobserved = month_rows[month_rows["conversion"].isna()]
        if this["previous"].isna().all():
            raise NotEnoughDataError(
                tr(
                    "{month} is the first month in the journey data, so there is no month before to compare "
                    "with; the change shows from the data's second month on.",
                    month=report_month,
                )
            )
        shown = this.drop(columns=["from_stage", "to_stage", "p"])
        if len(unobserved):
            caption = tr(
                "Conversion in {month} against the month before ({stages}: no events in the month, so the step "
                "from it is not shown)",
                month=report_month,
                stages=_and(map(_stage, unobserved["from_stage"])),
            )
        else:
            caption = tr("Conversion in {month} against the month before", month=report_month)
        return table(
            _in_words(shown),
            caption=caption,
            digits=2,
            percent=["conversion", "previous"],
            pp=["change"],
            labels=_headers(shown, p_adjusted=tr("p of change (adjusted)")),
        )

    @section("pain_table")
    def _pain_points(self):
        """Touchpoints ranked by the poor experiences they produce."""
        pain = self.need(self.pain, "pain")
        columns = [
            "touchpoint",
            "rank",
            "volume",
            "n",
            "mean",
            "ci_low",
            "ci_high",
            "poor_share",
            "excess_poor",
            "p_adjusted",
            "significantly_worse",
        ]
        note = self._of_all(self.top, len(pain), tr("those ranked, then the most used"))
        shown = self._pain_rows()[columns]
        return table(
            shown,
            caption=tr("Pain points, {period}", period=self.period) + note,
            digits=2,
            percent=["poor_share"],
            labels=_headers(shown),
        )

    @section("pain")
    def _pain_chart(self):
        """Pain points at a glance."""
        rows = self._pain_chart_rows()
        title = (
            None
            if len(self.need(self.pain, "pain")) <= self.top
            else tr("Pain points: ranked first, then the most used")
        )
        return figure(plot_pain_points(rows, title=title).figure, alt=self.alt["pain"])

    @section("performance")
    def _performance(self):
        """Task success and duration by touchpoint."""
        performance = self.need(self.performance, "performance")
        by = performance.columns[0]
        note = ""
        if len(performance) > self.top:
            order = "success_rate" if "success_rate" in performance else "events"
            performance = performance.sort_values(order, ascending=order == "success_rate", kind="stable")
            what = tr("the lowest task success") if order == "success_rate" else tr("the most events")
            note = self._of_all(self.top, len(performance), what)
        if by == "touchpoint":
            caption = tr("Task success and duration by touchpoint, {period}", period=self.period)
        elif by == "segment":
            caption = tr("Task success and duration by segment, {period}", period=self.period)
        else:
            caption = tr("Task success and duration by {by}, {period}", by=str(by), period=self.period)
        return table(
            performance.head(self.top),
            caption=caption + note,
            digits=2,
            percent=["success_rate"],
            labels=_headers(performance),
        )

    @section("consistency")
    def _consistency(self):
        """The same touchpoint across channels."""
        consistency = self.need(self.consistency, "consistency")
        name, channel = consistency.columns[0], consistency.columns[1]
        touches = list(dict.fromkeys(consistency.sort_values("p_adjusted", kind="stable")[name]))
        note = ""
        if len(touches) > self.top:
            consistency = consistency[consistency[name].isin(touches[: self.top])]
            note = self._of_all(self.top, len(touches), tr("the clearest differences between channels"))
        if not (consistency["channels"] >= 2).any():  # no comparison: the means per channel alone
            shown = _within_scale(consistency[[name, channel, "n", "mean", "ci_low", "ci_high"]], self._scale)
            values = {
                "label": metric_label(self.score),
                "period": self.period,
                "note": note,
                "min_n": integer(self.min_n),
            }
            if (name, channel) == ("touchpoint", "channel"):
                caption = tr(
                    "{label} by touchpoint and channel, {period}{note}: no touchpoint has two channels with {min_n} "
                    "or more scores each, so none is compared",
                    **values,
                )
            else:
                caption = tr(
                    "{label} by {name} and {channel}, {period}{note}: no {name} has two {channels} with {min_n} "
                    "or more scores each, so none is compared",
                    name=str(name),
                    channel=str(channel),
                    channels=f"{channel}s",
                    **values,
                )
            return table(shown, caption=caption, digits=2, labels=_headers(shown))
        return table(
            consistency,
            caption=tr("Omnichannel consistency, {period}", period=self.period) + note,
            digits=2,
            labels=_headers(consistency, p=tr("p (Welch)")),
        )


# --------------------------------------------------------------------------- findings


def _pct(x: float) -> str:
    return percent(x, 1)


def _p_text(p: float) -> str:
    """``p = 0.034``, ``p < 0.001``: the pack's one p-value format, in the reader's locale."""
    text = p_value(p)
    if not text:
        return tr("p = n/a")
    return "p " + text if text.startswith("<") else "p = " + text


def _lowest_touchpoint(pain: pd.DataFrame, higher_is_better: bool = True) -> dict | None:
    name = pain.columns[0]
    eligible = pain[pain["enough_n"]]
    if eligible.empty:
        return None
    row = eligible.loc[eligible["mean"].idxmin() if higher_is_better else eligible["mean"].idxmax()]  # type: ignore[call-overload]  # stubs: .loc refuses idxmin's Hashable label
    return {
        "touchpoint": row[name],
        "mean": float(row["mean"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "n": int(row["n"]),
        "volume": int(row["volume"]),
        "poor_share": float(row["poor_share"]),
        "excess_poor": float(row["excess_poor"]),
        "diff_vs_rest": float(row["diff_vs_rest"]),
        "p_adj": float(row["p_adjusted"]),
        "significant": bool(row["significantly_worse"]),
        "pain_rank": None if pd.isna(row["rank"]) else int(row["rank"]),
    }


def _headline(comparison: StageComparison, pain: pd.DataFrame | None) -> str:
    low = comparison.lowest()
    lowest = bool(low["higher_is_better"])
    values = {"label": metric_label(comparison.score), "stage": _stage(low["stage"]), "mean": decimal(low["mean"], 2)}
    touch = _lowest_touchpoint(pain, lowest) if pain is not None else None
    if touch is None:
        if low["significant"]:
            if lowest:
                return tr(
                    "{label} is lowest at the {stage} stage ({mean}), significantly below every other stage.", **values
                )
            return tr(
                "{label} is highest at the {stage} stage ({mean}), significantly above every other stage.", **values
            )
        if lowest:
            return tr(
                "{label} is lowest at the {stage} stage ({mean}), though not significantly below every other stage.",
                **values,
            )
        return tr(
            "{label} is highest at the {stage} stage ({mean}), though not significantly above every other stage.",
            **values,
        )
    values |= {"touchpoint": str(touch["touchpoint"]), "touch_mean": decimal(touch["mean"], 2)}
    if low["significant"] and touch["significant"]:
        if lowest:
            return tr(
                "{label} is lowest at the {stage} stage ({mean}) and at the {touchpoint} touchpoint ({touch_mean}), "
                "both significantly worse than the rest.",
                **values,
            )
        return tr(
            "{label} is highest at the {stage} stage ({mean}) and at the {touchpoint} touchpoint ({touch_mean}), "
            "both significantly worse than the rest.",
            **values,
        )
    if low["significant"]:
        if lowest:
            return tr(
                "{label} is lowest at the {stage} stage ({mean}), significantly worse than every other stage; among "
                "touchpoints it is lowest at the {touchpoint} touchpoint ({touch_mean}), not significantly worse "
                "than the others.",
                **values,
            )
        return tr(
            "{label} is highest at the {stage} stage ({mean}), significantly worse than every other stage; among "
            "touchpoints it is highest at the {touchpoint} touchpoint ({touch_mean}), not significantly worse "
            "than the others.",
            **values,
        )
    if touch["significant"]:
        if lowest:
            return tr(
                "{label} is lowest at the {touchpoint} touchpoint ({touch_mean}), significantly worse than the other "
                "touchpoints; among stages it is lowest at the {stage} stage ({mean}), not significantly worse than "
                "every other stage.",
                **values,
            )
        return tr(
            "{label} is highest at the {touchpoint} touchpoint ({touch_mean}), significantly worse than the other "
            "touchpoints; among stages it is highest at the {stage} stage ({mean}), not significantly worse than "
            "every other stage.",
            **values,
        )
    if lowest:
        return tr(
            "{label} is lowest at the {stage} stage ({mean}) and at the {touchpoint} touchpoint ({touch_mean}), but "
            "neither is significantly worse than the rest.",
            **values,
        )
    return tr(
        "{label} is highest at the {stage} stage ({mean}) and at the {touchpoint} touchpoint ({touch_mean}), but "
        "neither is significantly worse than the rest.",
        **values,
    )


def funnel_finding(funnel: pd.DataFrame, *, unit: str = "customers") -> str:
    """One sentence on a :func:`funnel`: how many reached the last stage and the largest drop;
    ``unit`` names what the funnel counts (``"journeys"`` when each row is one, without ids).

    >>> from cxkit.analysis.funnel import funnel
    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_stage": ["awareness", "decision", "awareness"]})
    >>> funnel_finding(funnel(events, time=None))
    'Of 2 customers, 1 (50.0%) reached decision; the largest drop is awareness to consideration: 50.0% continued (95% CI 9.5%–90.5%), 1 did not.'
    """
    journeys = unit == "journeys"
    if len(funnel) < 2:
        values = {"n": integer(funnel["reached"].iloc[0]), "stage": _stage(funnel["stage"].iloc[0])}
        if journeys:
            return tr("All {n} journeys are at {stage}.", **values)
        if unit == "customers":
            return tr("All {n} customers are at {stage}.", **values)
        return tr("All {n} {unit} are at {stage}.", unit=unit, **values)
    start, end = funnel.iloc[0], funnel.iloc[-1]
    steps = funnel.iloc[1:]
    worst = steps.loc[steps["conversion"].idxmin()]  # type: ignore[call-overload]  # stubs: .loc refuses idxmin's Hashable label
    prev_stage = funnel["stage"].iloc[cast(int, funnel.index.get_loc(worst.name)) - 1]  # a label of a unique index
    values = {
        "start": integer(start["reached"]),
        "end": integer(end["reached"]),
        "share": _pct(end["share_of_start"]),
        "stage": _stage(end["stage"]),
        "from_stage": _stage(prev_stage),
        "to_stage": _stage(worst["stage"]),
        "conversion": _pct(worst["conversion"]),
        "low": _pct(worst["ci_low"]),
        "high": _pct(worst["ci_high"]),
        "lost": integer(worst["drop_off"]),
    }
    if np.isfinite(worst["median_days"]):
        values["days"] = decimal(worst["median_days"], 1)
        if journeys:
            return tr(
                "Of {start} journeys, {end} ({share}) reached {stage}; the largest drop is {from_stage} to "
                "{to_stage}: {conversion} continued (95% CI {low}–{high}), {lost} did not, and those who did took "
                "a median of {days} days.",
                **values,
            )
        if unit == "customers":
            return tr(
                "Of {start} customers, {end} ({share}) reached {stage}; the largest drop is {from_stage} to "
                "{to_stage}: {conversion} continued (95% CI {low}–{high}), {lost} did not, and those who did took "
                "a median of {days} days.",
                **values,
            )
        return tr(
            "Of {start} {unit}, {end} ({share}) reached {stage}; the largest drop is {from_stage} to "
            "{to_stage}: {conversion} continued (95% CI {low}–{high}), {lost} did not, and those who did took "
            "a median of {days} days.",
            unit=unit,
            **values,
        )
    if journeys:
        return tr(
            "Of {start} journeys, {end} ({share}) reached {stage}; the largest drop is {from_stage} to "
            "{to_stage}: {conversion} continued (95% CI {low}–{high}), {lost} did not.",
            **values,
        )
    if unit == "customers":
        return tr(
            "Of {start} customers, {end} ({share}) reached {stage}; the largest drop is {from_stage} to "
            "{to_stage}: {conversion} continued (95% CI {low}–{high}), {lost} did not.",
            **values,
        )
    return tr(
        "Of {start} {unit}, {end} ({share}) reached {stage}; the largest drop is {from_stage} to "
        "{to_stage}: {conversion} continued (95% CI {low}–{high}), {lost} did not.",
        unit=unit,
        **values,
    )


def monthly_finding(months: pd.DataFrame, month: str | None = None) -> str:
    """One or more sentences on the report month of a :func:`funnel_by_month` table: the
    conversions that changed significantly against the month before (or that none did).

    >>> from cxkit.analysis.funnel import funnel_by_month
    >>> events = pd.DataFrame({"customer_id": [f"c{i}" for i in range(200)], "Month": ["Feb"] * 100 + ["Mar"] * 100,
    ...                        "journey_stage": ["awareness"] * 90 + ["decision"] * 10 + ["awareness"] * 50 + ["decision"] * 50})
    >>> monthly_finding(funnel_by_month(events, period="Month", stages=["awareness", "decision"]))
    'In Mar, conversion from awareness to decision rose from 10.0% to 50.0% (p < 0.001, adjusted).'
    """
    report = str(month or months["month"].iloc[-1])
    shown = _month(report)
    this = months[months["month"] == report]
    if this.empty:
        return tr("There are no journey events in {month}.", month=shown)
    if this["previous"].isna().all():
        return tr("{month} is the first month in the data, so there is no month-over-month change.", month=shown)
    changed = this[this["significant"].fillna(False).astype(bool)]
    if changed.empty:
        return tr(
            "No step of the funnel converted significantly differently in {month} than the month before "
            "(two-proportion tests, Holm-adjusted over the steps).",
            month=shown,
        )
    parts = []
    row: Any  # itertuples rows: the stubs type each field as any scalar
    for row in changed.itertuples(index=False):
        values = {
            "month": shown,
            "from_stage": _stage(row.from_stage),
            "to_stage": _stage(row.to_stage),
            "before": _pct(row.previous),
            "after": _pct(row.conversion),
            "p": _p_text(row.p_adjusted),
        }
        if row.change > 0:
            parts.append(
                tr(
                    "In {month}, conversion from {from_stage} to {to_stage} rose from {before} to {after} ({p}, adjusted).",
                    **values,
                )
            )
        else:
            parts.append(
                tr(
                    "In {month}, conversion from {from_stage} to {to_stage} fell from {before} to {after} ({p}, adjusted).",
                    **values,
                )
            )
    return " ".join(parts)


def pain_finding(pain: pd.DataFrame) -> str:
    """One sentence on the top-ranked pain point of :func:`pain_points`.

    >>> from cxkit.analysis.touchpoints import pain_points
    >>> events = pd.DataFrame({"touchpoint": ["billing", "website"] * 40, "csat": [1, 4, 3, 5] * 20})
    >>> pain_finding(pain_points(events)).startswith("The biggest pain point is billing: mean 2.00")
    True
    """
    name = str(pain.columns[0])
    touchpoints = name == "touchpoint"
    ranked = pain[pain["rank"].notna()]
    if ranked.empty:
        if touchpoints:
            return tr("No touchpoint has enough scores to rank pain points.")
        return tr("No {name} has enough scores to rank pain points.", name=name)
    top = ranked.iloc[0]
    if not round(float(top["excess_poor"])) > 0 and not top["significantly_worse"]:  # none is worse than average
        if touchpoints:
            return tr(
                "No touchpoint stands out as a pain point: none produces more poor experiences than an average "
                "touchpoint would at its volume."
            )
        return tr(
            "No {name} stands out as a pain point: none produces more poor experiences than an average "
            "{name} would at its volume.",
            name=name,
        )
    values = {
        "top": str(top[name]),
        "mean": decimal(top["mean"], 2),
        "low": decimal(top["ci_low"], 2),
        "high": decimal(top["ci_high"], 2),
        "n": integer(top["n"]),
        "share": _pct(top["poor_share"]),
        "volume": integer(top["volume"]),
        "excess": decimal(top["excess_poor"], 0),
    }
    if touchpoints and top["significantly_worse"]:
        return tr(
            "The biggest pain point is {top}: mean {mean} (95% CI {low}–{high}, n = {n}), {share} poor scores "
            "across {volume} events, about {excess} more poor experiences than an average touchpoint would give; "
            "significantly worse than the other touchpoints ({p}, adjusted).",
            p=_p_text(top["p_adjusted"]),
            **values,
        )
    if touchpoints:
        return tr(
            "The biggest pain point is {top}: mean {mean} (95% CI {low}–{high}, n = {n}), {share} poor scores "
            "across {volume} events, about {excess} more poor experiences than an average touchpoint would give; "
            "not significantly worse than the other touchpoints.",
            **values,
        )
    if top["significantly_worse"]:
        return tr(
            "The biggest pain point is {top}: mean {mean} (95% CI {low}–{high}, n = {n}), {share} poor scores "
            "across {volume} events, about {excess} more poor experiences than an average {name} would give; "
            "significantly worse than the other {names} ({p}, adjusted).",
            name=name,
            names=name + "s",
            p=_p_text(top["p_adjusted"]),
            **values,
        )
    return tr(
        "The biggest pain point is {top}: mean {mean} (95% CI {low}–{high}, n = {n}), {share} poor scores "
        "across {volume} events, about {excess} more poor experiences than an average {name} would give; "
        "not significantly worse than the other {names}.",
        name=name,
        names=name + "s",
        **values,
    )


def _month(text: str) -> str:
    """:func:`cxkit.i18n.month`, for the functions whose ``month`` argument hides it."""
    return month(text)


def _fmt(x: float) -> str:
    return "nan" if not np.isfinite(x) else decimal(x, 2) if abs(x) < 100 else decimal(x, 0)


def _test_text(row: dict) -> str:
    test = translate(_CELLS[row["test"]]) if row["test"] in _CELLS else str(row["test"])
    values = {
        "test": test,
        "df1": decimal(row["df1"], 0),
        "statistic": decimal(row["statistic"], 2),
        "p": _p_text(row["p"]),
    }
    if row["stat"] == "F":
        return tr("{test} F({df1}, {df2}) = {statistic}, {p}", df2=decimal(row["df2"], 1), **values)
    return tr("{test} {stat}({df1}) = {statistic}, {p}", stat=str(row["stat"]), **values)


def stage_finding(comparison: StageComparison) -> str:
    """One plain-language sentence on a :func:`cxkit.compare_stages` result; it claims a
    difference only when it is significant."""
    welch = comparison.test("Welch ANOVA")
    test = welch if np.isfinite(welch["p"]) else comparison.test("Kruskal-Wallis")
    low = comparison.lowest()
    lowest = bool(low["higher_is_better"])
    journey = comparison.stage == "journey_stage"
    kind = comparison.stage.replace("_", " ")
    values = {
        "label": metric_label(comparison.score),
        "stage": _stage(low["stage"]),
        "mean": _fmt(low["mean"]),
        "test": _test_text(test),
        "kind": tr("journey stage") if journey else kind,
        "kinds": tr("journey stages") if journey else kind + "s",
    }
    if not test["p"] < comparison.alpha:
        if lowest:
            return tr(
                "{label} does not differ significantly between {kinds} ({test}); the lowest value is at {stage} "
                "({mean}).",
                **values,
            )
        return tr(
            "{label} does not differ significantly between {kinds} ({test}); the highest value is at {stage} ({mean}).",
            **values,
        )
    values |= {
        "low": _fmt(low["ci_low"]),
        "high": _fmt(low["ci_high"]),
        "n": integer(low["n"]),
        "p_max": _p_text(low["p_max"]),
    }
    if low["significant"] and lowest:
        return tr(
            "{label} is lowest at {stage} ({mean}, 95% CI {low}–{high}, n = {n}), significantly below every other "
            "{kind} ({test}; Games-Howell, largest adjusted {p_max}).",
            **values,
        )
    if low["significant"]:
        return tr(
            "{label} is highest at {stage} ({mean}, 95% CI {low}–{high}, n = {n}), significantly above every other "
            "{kind} ({test}; Games-Howell, largest adjusted {p_max}).",
            **values,
        )
    if lowest:
        return tr(
            "{label} is lowest at {stage} ({mean}, 95% CI {low}–{high}, n = {n}); {kinds} differ ({test}), but "
            "{stage} is not significantly lowest against every other one (largest adjusted {p_max}).",
            **values,
        )
    return tr(
        "{label} is highest at {stage} ({mean}, 95% CI {low}–{high}, n = {n}); {kinds} differ ({test}), but "
        "{stage} is not significantly highest against every other one (largest adjusted {p_max}).",
        **values,
    )


def scorecard_records(card: pd.DataFrame) -> list[dict[str, Any]]:
    """A :func:`cxkit.stage_scorecard` table as ``results.json`` rows: ``metric, stage, n``
    (``n_eff`` when weighted), ``value, ci_low, ci_high, worst, significant, p``.

    >>> card = pd.DataFrame({"metric": ["csat"], "stage": ["decision"], "n": [12], "value": [3.0],
    ...     "ci_low": [2.6], "ci_high": [3.4], "worst": [True], "significant": [False], "p": [0.2]})
    >>> scorecard_records(card)
    [{'metric': 'csat', 'stage': 'decision', 'n': 12, 'value': 3.0, 'ci_low': 2.6, 'ci_high': 3.4, 'worst': True, 'significant': False, 'p': 0.2}]
    """
    rows = []
    r: Any
    for r in card.itertuples(index=False):
        rows.append(
            {
                "metric": str(r.metric),
                "stage": str(r.stage),
                "n": int(r.n),
                **({"n_eff": float(r.n_eff)} if "n_eff" in card.columns else {}),
                "value": float(r.value),
                "ci_low": float(r.ci_low),
                "ci_high": float(r.ci_high),
                "worst": bool(r.worst),
                "significant": bool(r.significant),
                "p": float(r.p),
            }
        )
    return rows


def scorecard_view(card: pd.DataFrame, *, digits: int = 2) -> pd.DataFrame:
    """The scorecard as one wide display table: a row per stage, a column per metric with
    ``value (ci_low to ci_high)`` and a marker on the significantly worst stage.

    >>> card = pd.DataFrame({"metric": ["csat", "csat"], "stage": ["awareness", "decision"],
    ...     "n": [10, 12], "value": [4.0, 3.0], "ci_low": [3.5, 2.6], "ci_high": [4.5, 3.4],
    ...     "higher_is_better": True, "worst": [False, True], "significant": [False, True]})
    >>> scorecard_view(card)["CSAT"].tolist()
    ['4.00 (3.50 to 4.50)', '3.00 (2.60 to 3.40) ▼ significantly lowest']
    """
    rows: dict = {}
    stages = list(dict.fromkeys(card["stage"]))
    for metric, part in card.groupby("metric", sort=False):
        d = 1 if metric == "nps" else digits
        texts = {}
        r: Any  # itertuples rows: the stubs type each field as any scalar
        for r in part.itertuples(index=False):
            values = {"value": decimal(r.value, d), "low": decimal(r.ci_low, d), "high": decimal(r.ci_high, d)}
            if not r.significant:
                texts[r.stage] = tr("{value} ({low} to {high})", **values)
            elif r.higher_is_better:
                texts[r.stage] = tr("{value} ({low} to {high}) ▼ significantly lowest", **values)
            else:
                texts[r.stage] = tr("{value} ({low} to {high}) ▲ significantly highest", **values)
        rows[metric_label(cast(str, metric))] = [texts.get(s, "") for s in stages]
    return pd.DataFrame({"stage": stages, **rows})


# --------------------------------------------------------------------------- results.json


def journey_findings(
    comparison: StageComparison | None,
    *,
    scorecard: pd.DataFrame | None = None,
    funnel: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    month: str | None = None,
    pain: pd.DataFrame | None = None,
    performance: pd.DataFrame | None = None,
    consistency: pd.DataFrame | None = None,
    alpha: float | None = None,
    unit: str = "customers",
) -> list[str]:
    """Plain-language findings from the journey results; a difference is claimed only when
    its test is significant.

    Parameters
    ----------
    comparison : StageComparison or None
        From :func:`compare_stages` (None: the data could not give it; no stage finding).
    scorecard, funnel, months, pain, performance, consistency : DataFrame, optional
        From :func:`stage_scorecard`, :func:`funnel`, :func:`funnel_by_month`,
        :func:`pain_points`, :func:`touchpoint_performance`, :func:`channel_consistency`.
    month : str, optional
        The report month (``YYYY-MM``) for the month-over-month finding; default the last
        month in ``months``.
    alpha : float, optional
        Significance level of the scorecard's tests; default the comparison's (else 0.05).
    unit : str, default "customers"
        What the funnel counts (``"journeys"`` when each row is one, without customer ids).

    Returns
    -------
    list of str
        One sentence per finding, for :func:`cxkit.findings`.

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> from cxkit.pack.journey_stages import journey_findings, journey_results
    >>> found = journey_findings(cx.compare_stages(journey), funnel=cx.funnel(journey))
    >>> found[0][:40]
    'CSAT is lowest at decision (3.23, 95% CI'
    >>> found[1].startswith("Of 6,500 customers, 830 (12.8%) reached advocacy")
    True
    """
    alpha = alpha if alpha is not None else comparison.alpha if comparison is not None else 0.05
    out = [stage_finding(comparison)] if comparison is not None else []
    row: Any  # itertuples rows: the stubs type each field as any scalar, and low.iloc[0] below
    if scorecard is not None:
        for row in scorecard[scorecard["worst"]].itertuples(index=False):
            out.append(_scorecard_finding(row, alpha))
        if any(note.startswith("sentiment") for note in scorecard.attrs.get("notes", [])):
            out.append(tr("Sentiment by stage: this month's survey responses have no comments that could be scored."))
    if funnel is not None and len(funnel):
        out.append(funnel_finding(funnel, unit=unit))
    if months is not None and len(months):
        out.append(monthly_finding(months, month))
    if pain is not None and len(pain):
        out.append(pain_finding(pain))
    if performance is not None and "lowest_success" in performance.columns:
        out.append(_success_finding(performance))
    if consistency is not None and len(consistency):
        out += _consistency_findings(consistency)
    return out


def _scorecard_finding(row: Any, alpha: float) -> str:  # an itertuples row of stage_scorecard
    values = {"label": metric_label(row.metric), "stage": _stage(row.stage)}
    if row.significant:
        values |= {"value": decimal(row.value, 2), "low": decimal(row.ci_low, 2), "high": decimal(row.ci_high, 2)}
        if row.higher_is_better:
            return tr(
                "In the survey, {label} is significantly lowest at {stage} ({value}, 95% CI {low}–{high}).", **values
            )
        return tr(
            "In the survey, {label} is significantly highest (more effort) at {stage} ({value}, 95% CI {low}–{high}).",
            **values,
        )
    if not row.p < alpha:
        return tr(
            "In the survey, {label} does not differ significantly between stages (Welch {p}).",
            label=values["label"],
            p=_p_text(row.p),
        )
    if row.higher_is_better:
        return tr(
            "In the survey, {label} differs between stages (Welch {p}); it is lowest at {stage}, but not "
            "significantly against every other stage.",
            p=_p_text(row.p),
            **values,
        )
    return tr(
        "In the survey, {label} differs between stages (Welch {p}); it is highest at {stage}, but not "
        "significantly against every other stage.",
        p=_p_text(row.p),
        **values,
    )


def _success_finding(performance: pd.DataFrame) -> str:
    name = str(performance.columns[0])
    low = performance[performance["lowest_success"]]
    if low.empty:
        if name == "touchpoint":
            return tr("No touchpoint has a task success rate significantly below the others.")
        if name == "segment":
            return tr("No segment has a task success rate significantly below the others.")
        return tr("No {name} has a task success rate significantly below the others.", name=name)
    row = low.iloc[0]
    values = {
        "where": str(row[name]),
        "rate": _pct(row["success_rate"]),
        "low": _pct(row["success_ci_low"]),
        "high": _pct(row["success_ci_high"]),
        "n": integer(row["success_n"]),
    }
    if name == "touchpoint":
        return tr("Task success is significantly lowest at {where}: {rate} (95% CI {low}–{high}, n = {n}).", **values)
    if name == "segment":
        return tr(
            "Task success is significantly lowest in the segment {where}: {rate} (95% CI {low}–{high}, n = {n}).",
            **values,
        )
    return tr(
        "Task success is significantly lowest in the {name} {where}: {rate} (95% CI {low}–{high}, n = {n}).",
        name=name,
        **values,
    )


def _consistency_findings(consistency: pd.DataFrame) -> list[str]:
    """The sentences on :func:`channel_consistency`: the touchpoints that could not be compared,
    whether any differs between channels, and each that does."""
    out = []
    name, channel = str(consistency.columns[0]), str(consistency.columns[1])
    own = (name, channel) == ("touchpoint", "channel")  # the page's: the sentences say "touchpoint", "channel"
    nouns = {"name": name, "names": name + "s", "channel": channel, "channels": channel + "s"}
    multi = consistency[consistency["channels"] >= 2]
    tested = multi.drop_duplicates(name)
    untested = tested[tested["consistent"].isna()]
    touches = tested[tested["consistent"].notna()]
    differing = touches[touches["consistent"].eq(False).fillna(False).astype(bool)]
    if len(untested):
        names = list(map(str, untested[name]))
        listed = (
            ", ".join(names)
            if len(names) <= 5
            else tr("{names} and {n} more", names=", ".join(names[:3]), n=integer(len(names) - 3))
        )
        if own:
            out.append(
                tr(
                    "{listed}: the channels could not be compared (a channel's scores do not vary, so Welch's test "
                    "is undefined).",
                    listed=listed,
                )
            )
        else:
            out.append(
                tr(
                    "{listed}: the {channels} could not be compared (a {channel}'s scores do not vary, so Welch's "
                    "test is undefined).",
                    listed=listed,
                    **nouns,
                )
            )
    if touches.empty and untested.empty:
        if own:
            out.append(tr("No touchpoint is served by two or more channels with enough scores to compare."))
        else:
            out.append(tr("No {name} is served by two or more {channels} with enough scores to compare.", **nouns))
    elif differing.empty and len(touches) == 1:
        only = str(touches.iloc[0][name])
        if own:
            out.append(
                tr(
                    "The experience is consistent across channels: {only}, the only touchpoint served by several "
                    "channels, does not differ significantly between them.",
                    only=only,
                )
            )
        else:
            out.append(
                tr(
                    "The experience is consistent across {channels}: {only}, the only {name} served by several "
                    "{channels}, does not differ significantly between them.",
                    only=only,
                    **nouns,
                )
            )
    elif differing.empty:
        if own:
            out.append(
                tr(
                    "The experience is consistent across channels: none of the {n} touchpoints served by several "
                    "channels differs significantly between them.",
                    n=integer(len(touches)),
                )
            )
        else:
            out.append(
                tr(
                    "The experience is consistent across {channels}: none of the {n} {names} served by several "
                    "{channels} differs significantly between them.",
                    n=integer(len(touches)),
                    **nouns,
                )
            )
    row: Any  # itertuples rows: the stubs type each field as any scalar
    for row in differing.itertuples(index=False):
        part = multi[multi[name] == getattr(row, name)]
        best, worst = part.loc[part["mean"].idxmax()], part.loc[part["mean"].idxmin()]
        values = {
            "touch": str(getattr(row, name)),
            "best": str(best[channel]),
            "best_mean": decimal(best["mean"], 2),
            "worst": str(worst[channel]),
            "worst_mean": decimal(worst["mean"], 2),
            "p": _p_text(row.p_adjusted),
        }
        if own:
            out.append(
                tr(
                    "{touch} differs between channels: {best} {best_mean} vs {worst} {worst_mean} ({p}, adjusted).",
                    **values,
                )
            )
        else:
            out.append(
                tr(
                    "{touch} differs between {channels}: {best} {best_mean} vs {worst} {worst_mean} ({p}, adjusted).",
                    channels=nouns["channels"],
                    **values,
                )
            )
    return out


def _kpi(row: Any) -> dict:  # an itertuples row of funnel_by_month
    return {
        "value": row.conversion,
        "ci_low": row.ci_low,
        "ci_high": row.ci_high,
        "n": int(row.entered),
        "previous": row.previous,
        "change": row.change,
        "change_p": row.p,
        "change_p_adj": row.p_adjusted,
        "significant": bool(row.significant),
    }


def journey_results(
    comparison: StageComparison | None,
    *,
    pain: pd.DataFrame | None = None,
    funnel: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    month: str | None = None,
    performance: pd.DataFrame | None = None,
    score: str = "csat",
    unit: str = "customers",
) -> dict:
    """The ``journey`` part of ``results.json``.

    Keys: ``finding`` (one sentence), ``month``, ``metric``, ``lowest_stage`` (``stage, mean,
    ci_low, ci_high, n, significant, p_max, method, higher_is_better``; ``significant`` means
    worse than every other stage by Games-Howell, ``p_max`` the largest of those adjusted
    p-values), ``lowest_touchpoint`` (``touchpoint,
    mean, ci_low, ci_high, n, volume, poor_share, excess_poor, diff_vs_rest, p_adj,
    significant, pain_rank``), ``top_pain_point``, ``lowest_success_touchpoint``
    (``touchpoint, success_rate, ci_low, ci_high, n``, when significant), ``stages`` (per
    stage ``n, mean, ci_low, ci_high, letters``), ``omnibus`` (``anova``, ``welch_anova``,
    ``kruskal_wallis``, ``proportional_odds``: ``statistic, df1, df2, p, effect,
    effect_size, significant``), ``funnel`` (``reached`` per stage; ``conversion`` per step
    ``from->to``: ``value, ci_low, ci_high, n, median_days``) and ``funnel_month`` (per step, a
    KPI dict of the report month: ``value, ci_low, ci_high, n, previous, change, change_p,
    change_p_adj, significant``; significance uses the p adjusted over the month's steps).

    Without a stage comparison (``comparison`` None: the data could not give it) ``metric`` is
    ``score``, ``lowest_stage`` is None, ``stages`` and ``omnibus`` are empty, and ``finding``
    is the pain-point or funnel sentence (``unit`` names what the funnel counts).

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> from cxkit.pack.journey_stages import journey_results
    >>> res = journey_results(cx.compare_stages(journey), pain=cx.pain_points(journey))
    >>> res["lowest_stage"]["stage"], res["lowest_touchpoint"]["touchpoint"]
    ('decision', 'billing')
    """
    if comparison is None:
        return _results_without_stages(
            pain=pain, funnel=funnel, months=months, month=month, performance=performance, score=score, unit=unit
        )
    low = comparison.lowest()
    keys = {
        "ANOVA": "anova",
        "Welch ANOVA": "welch_anova",
        "Kruskal-Wallis": "kruskal_wallis",
        "Proportional odds": "proportional_odds",
    }
    out: dict = {
        "finding": _headline(comparison, pain),
        "month": month,
        "metric": comparison.score,
        "lowest_stage": low,
        "stages": {
            r.stage: {"n": int(r.n), "mean": r.mean, "ci_low": r.ci_low, "ci_high": r.ci_high, "letters": r.letters}
            for r in cast("Iterable[Any]", comparison.stages.itertuples(index=False))
        },
        "omnibus": {
            keys.get(r.test, r.test): {
                "statistic": r.statistic,
                "df1": r.df1,
                "df2": r.df2,
                "p": r.p,
                "effect": r.effect,
                "effect_size": r.effect_size,
                "significant": bool(r.significant),
            }
            for r in cast("Iterable[Any]", comparison.omnibus.itertuples(index=False))
        },
    }
    return {**out, **_touchpoint_and_funnel_results(pain, funnel, months, month, performance, low["higher_is_better"])}


def _results_without_stages(
    *,
    pain: pd.DataFrame | None,
    funnel: pd.DataFrame | None,
    months: pd.DataFrame | None,
    month: str | None,
    performance: pd.DataFrame | None,
    score: str,
    unit: str,
) -> dict:
    if pain is not None:
        finding = pain_finding(pain)
    elif funnel is not None and len(funnel):
        finding = funnel_finding(funnel, unit=unit)
    else:
        finding = (
            tr(
                "The journey data give no result for {month}; the page says what each analysis needs.",
                month=_month(month),
            )
            if month
            else tr("The journey data give no result for the data; the page says what each analysis needs.")
        )
    out: dict = {"finding": finding, "month": month, "metric": score, "lowest_stage": None, "stages": {}, "omnibus": {}}
    higher = score.lower() != "ces"
    return {**out, **_touchpoint_and_funnel_results(pain, funnel, months, month, performance, higher)}


def _touchpoint_and_funnel_results(
    pain: pd.DataFrame | None,
    funnel: pd.DataFrame | None,
    months: pd.DataFrame | None,
    month: str | None,
    performance: pd.DataFrame | None,
    higher_is_better: bool,
) -> dict:
    out: dict = {}
    if pain is not None:
        out["lowest_touchpoint"] = _lowest_touchpoint(pain, higher_is_better)
        ranked = pain[pain["rank"].notna()]
        out["top_pain_point"] = None if ranked.empty else str(ranked.iloc[0, 0])
    if performance is not None and "lowest_success" in performance.columns:
        rows = performance[performance["lowest_success"]]
        out["lowest_success_touchpoint"] = (
            None
            if rows.empty
            else {
                "touchpoint": rows.iloc[0, 0],
                "success_rate": float(rows.iloc[0]["success_rate"]),
                "ci_low": float(rows.iloc[0]["success_ci_low"]),
                "ci_high": float(rows.iloc[0]["success_ci_high"]),
                "n": int(rows.iloc[0]["success_n"]),
            }
        )
    if funnel is not None:
        steps = funnel.iloc[1:]
        prev = funnel["stage"].shift(1)
        out["funnel"] = {
            "reached": {r.stage: int(r.reached) for r in cast("Iterable[Any]", funnel.itertuples(index=False))},
            "conversion": {
                f"{prev[i]}->{r['stage']}": {
                    "value": r["conversion"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": int(cast("SupportsInt", funnel.loc[i - 1, "reached"])),
                    "median_days": r["median_days"],
                }
                for i, r in cast("Iterable[tuple[int, pd.Series]]", steps.iterrows())  # funnel rows are numbered
            },
        }
    if months is not None and len(months):
        report = month or months["month"].iloc[-1]
        this = months[months["month"] == str(report)]
        out["funnel_month"] = {r.step: _kpi(r) for r in this.itertuples(index=False)}
    return out
