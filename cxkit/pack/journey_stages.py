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
from ..data.schema import STAGES, TABLES
from ..display import figure, metric_label, p_phrase, table
from ..distributed import compute, is_dask_frame
from ..errors import NotEnoughDataError
from ..periods import month_events, parse_month
from ..plots import TREND_MONTHS, month_label, plot_funnel, plot_funnel_by_month, plot_pain_points, plot_stages
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
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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

    title = "Journey stages"

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
    ):
        self.score, self.alpha, self.padjust, self.min_n, self.top = score, alpha, padjust, min_n, top
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
        return cls(sources.scan("journey"), feedback=feedback, month=month, **options)

    # -- the analyses, each attempted (a CxkitError is the section's reason) --------------

    @property
    def period(self) -> str:
        """The events reported on, as captions name them: the month, or all of an undated export."""
        return self.month if self.dated else "all events (the export has no dates)"

    def _the_events(self) -> str:
        return f"the journey events of {self.month}" if self.dated else "the journey events"

    def _need_events(self) -> None:
        if self._events.rows == 0:
            raise NotEnoughDataError(
                f"there are no journey events in {self.month}, so the month has nothing to report; "
                "choose a month the journey data cover."
            )

    def _need_score(self) -> None:
        label = metric_label(self.score)
        if self._events.has(self.score):
            return
        if self._history.has(self.score):
            raise NotEnoughDataError(
                f"{self._the_events()} have no {label} scores ({self.score}), so stages and touchpoints "
                f"cannot be compared on them this month; they are for a month whose events carry {label} scores."
            )
        raise NotEnoughDataError(
            f"the journey events have no {label} scores ({self.score}), so stages and touchpoints cannot be "
            f"compared on a score; map a touchpoint score with columns: {{{self.score}: <its column>}} in the catalog."
        )

    def _need_touchpoints(self) -> None:
        if not self._events.has("touchpoint"):
            raise NotEnoughDataError(
                f"{self._the_events()} name no touchpoint, so there are no pain points or channel comparisons; "
                "map the touchpoint with columns: {touchpoint: <its column>} in the catalog."
            )

    def _need_journeys(self) -> None:
        if self._history.rows == 0:
            raise NotEnoughDataError(
                f"there are no journey events up to {self.month}, so there is no funnel; "
                "choose a month the journey data cover."
            )
        if not self._history.has(_CUSTOMER) and self._history.has("touchpoint"):
            # touchpoint events of many customers; without ids each would count as a journey
            raise NotEnoughDataError(
                "the journey events have no customer ids, so they cannot be linked into journeys and the funnel "
                "cannot count customers; map customer_id with columns: {customer_id: <its column>} in the catalog."
            )

    def _compute_stages(self, events: pd.DataFrame | dd.DataFrame) -> StageComparison:
        self._need_events()
        self._need_score()
        enough = [s for s, n in self._events.scored.items() if n >= 2]
        if len(enough) < 2:
            where = f"only {enough[0]} has" if enough else "no stage has"
            raise NotEnoughDataError(
                f"{where} two or more {metric_label(self.score)} scores {'in ' + self.month if self.dated else ''}"
                ", so there are no stages to compare; the comparison needs scores at two stages or more."
            )
        return compare_stages(events, score=self.score, stage=_STAGE, alpha=self.alpha, padjust=self.padjust)

    def _compute_scorecard(self, feedback: pd.DataFrame | Callable[[str], pd.DataFrame] | None) -> pd.DataFrame:
        if feedback is None:
            raise NotEnoughDataError(
                "the catalog has no feedback source, so there are no survey scores by stage; add a feedback "
                "source (survey responses with a journey_stage column) to see NPS, CSAT and CES by stage."
            )
        responses = feedback(self.month) if callable(feedback) else month_events(feedback, self.month)
        if responses.empty:
            raise NotEnoughDataError(
                f"the survey has no responses in {self.month}, so there are no survey scores by stage this month; "
                "they show for a month the survey covers."
            )
        if _STAGE not in responses.columns or not responses[_STAGE].notna().any():
            raise NotEnoughDataError(
                "the survey responses name no journey stage, so they cannot be scored by stage; map the stage "
                "with columns: {journey_stage: <its column>} in the feedback source."
            )
        return stage_scorecard(responses.assign(sentiment=comment_sentiment(responses)), alpha=self.alpha)

    def _compute_funnel(self, history: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_journeys()
        return funnel_table(history, time=_TIME if self.timed else None, alpha=self.alpha)

    def _compute_months(self, history: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_journeys()
        if not self.dated:
            raise NotEnoughDataError(
                "the journey events have no dates (occurred_at), so there is no funnel by month; map the "
                "event time with columns: {occurred_at: <its column>} in the catalog."
            )
        if not self.timed:
            raise NotEnoughDataError(
                f"every journey event carries the same date, {self._history.first:%Y-%m-%d} (a fieldwork month "
                "given for an export without dates), so there is no funnel by month; map the event time with "
                "columns: {occurred_at: <its column>} in the catalog."
            )
        months = funnel_by_month(history, time=_TIME, alpha=self.alpha)
        if months["month"].nunique() < 2:
            raise NotEnoughDataError(
                f"the journey data cover one month, {self.month}, so there is no funnel trend by month; "
                "it is drawn once the data have a second month."
            )
        return months

    def _compute_pain(self, events: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_events()
        self._need_score()
        self._need_touchpoints()
        pain = pain_points(events, score=self.score, min_n=self.min_n, alpha=self.alpha)
        if not pain["enough_n"].any():
            raise NotEnoughDataError(
                f"no touchpoint has {self.min_n} or more {metric_label(self.score)} scores"
                f"{' in ' + self.month if self.dated else ''} (the most is {int(pain['n'].max()):,}), so none is "
                f"ranked as a pain point; a touchpoint is ranked once it has {self.min_n} scores."
            )
        return pain

    def _compute_performance(self, events: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_events()
        by = "touchpoint" if self._events.has("touchpoint") else "segment" if self._events.has("segment") else ""
        if not by:
            raise NotEnoughDataError(
                f"{self._the_events()} name no touchpoint or segment, so task success and duration cannot be "
                "broken down; map the touchpoint with columns: {touchpoint: <its column>} in the catalog."
            )
        if not (self._events.has("success") or self._events.has("duration_s")):
            raise NotEnoughDataError(
                f"{self._the_events()} have no task outcome (success) or duration (duration_s), so task success "
                "and duration cannot be shown; map them with columns: {success: <its column>, duration_s: "
                "<its column>} in the catalog."
            )
        return touchpoint_performance(events, by=by, alpha=self.alpha, min_n=self.min_n)

    def _compute_consistency(self, events: pd.DataFrame | dd.DataFrame) -> pd.DataFrame:
        self._need_events()
        self._need_score()
        self._need_touchpoints()
        if not self._events.has("channel"):
            raise NotEnoughDataError(
                f"{self._the_events()} name no channel, so the same touchpoint cannot be compared across "
                "channels; map the channel with columns: {channel: <its column>} in the catalog."
            )
        try:
            return channel_consistency(events, score=self.score, min_n=self.min_n, alpha=self.alpha)
        except NotEnoughDataError:
            raise NotEnoughDataError(
                f"no touchpoint has {self.min_n} or more {metric_label(self.score)} scores from one channel"
                f"{' in ' + self.month if self.dated else ''}, so the channels cannot be compared; a touchpoint "
                f"is compared once two of its channels have {self.min_n} scores each."
            ) from None

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
        shown = []
        if self.pain is not None and len(self.pain) > self.top:
            shown.append(
                f"the pain points show {self.top} of {len(self.pain):,} (the ranked ones first, then the most used)"
            )
        if self.performance is not None and len(self.performance) > self.top:
            what = "lowest success rates" if "success_rate" in self.performance else "most events"
            shown.append(f"task success the {self.top} {self.performance.columns[0]}s with the {what}")
        if shown:
            found.append(f"To stay readable, {' and '.join(shown)}.")
        return found or ["The journey data give no finding; each section above says what it needs."]

    def _stages_left_out(self) -> str:
        """The stages of the journey data that the month's stage comparison has no scores for."""
        if self.stages is None:
            return ""
        compared = set(map(str, self.stages.stages["stage"]))
        seen = [s for s in self._history.stages if s not in compared]
        if not seen:
            return ""
        label, month = metric_label(self.score), f" in {self.month}" if self.dated else ""
        idle = [s for s in seen if not self._events.stages.get(s)]
        few = [s for s in seen if s not in idle]
        parts = []
        if idle:
            parts.append(f"{_and(idle)} {'has' if len(idle) == 1 else 'have'} no journey events{month}")
        if few:
            parts.append(f"{_and(few)} {'has' if len(few) == 1 else 'have'} fewer than two {label} scores{month}")
        one = len(seen) == 1
        sentence = f"{'; '.join(parts)}, so {'it is' if one else 'they are'} left out of the stage comparison."
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
                alt["months"] += f" The chart shows the last {shown} of {self.months['month'].nunique()} months."
        if self.pain is not None:
            alt["pain"] = pain_finding(self.pain)
            if len(self._pain_chart_rows()) < len(self.pain):
                alt["pain"] += (
                    f" The chart shows {len(self._pain_chart_rows())} of the {len(self.pain):,} touchpoints: those "
                    "ranked, then the most used."
                )
        return alt

    def results(self) -> dict:
        by_touchpoint = self.performance is not None and self.performance.columns[0] == "touchpoint"
        return {
            "journey": journey_results(
                self.stages,
                pain=self.pain,
                funnel=self.funnel,
                months=self.months,
                month=self.month,
                performance=self.performance if by_touchpoint else None,
                score=self.score,
                unit=self.unit,
            )
        }

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
        return f" ({shown} of {total:,} touchpoints: {what})" if total > shown else ""

    # -- sections, in page order ---------------------------------------------------------

    @section("stages")
    def _stages_chart(self):
        """Mean score by stage with 95% intervals and the significance letters."""
        stages = self.need(self.stages, "stages")
        return figure(plot_stages(stages).figure, alt=self.alt["stages"])

    @section("stages_table")
    def _stages_table(self):
        """The numbers behind the chart."""
        return table(
            _within_scale(self.need(self.stages, "stages").stages, self._scale),
            caption=f"{metric_label(self.score)} by journey stage, {self.period}",
            digits=2,
        )

    @section("omnibus")
    def _omnibus(self):
        """Omnibus tests with effect sizes."""
        return table(
            self.need(self.stages, "stages").omnibus,
            caption="Omnibus tests and effect sizes",
            digits={"statistic": 2, "df1": 0, "df2": 1, "effect_size": 3},
        )

    @section("pairs")
    def _pairs(self):
        """Games-Howell pairwise comparisons."""
        pairs = self.need(self.stages, "stages").pairs("games-howell")
        return table(
            pairs[["a", "b", "diff", "ci_low", "ci_high", "p_adjusted", "significant", "effect_size"]],
            caption="Games-Howell pairwise comparisons (effect size: Hedges' g)",
            digits=2,
        )

    @section("ordinal")
    def _ordinal(self):
        """The proportional-odds model."""
        stages = self.need(self.stages, "stages")
        if stages.ordinal is None:
            raise NotEnoughDataError(
                f"the {metric_label(self.score)} scores are not whole numbers on a short scale, so there is no "
                "proportional-odds model; it is fitted for scores such as CSAT 1-5."
            )
        return table(stages.ordinal, caption="Proportional-odds model (logit), odds ratios against awareness", digits=2)

    @section("scorecard")
    def _scorecard(self):
        """NPS, CSAT, CES and comment sentiment by stage."""
        return table(
            scorecard_view(self.need(self.scorecard, "scorecard")),
            caption=f"Survey scores by stage with 95% confidence intervals, {self.month}",
        )

    @section("funnel")
    def _funnel_chart(self):
        """Customers reaching each stage."""
        ax = plot_funnel(self.need(self.funnel, "funnel"), title=f"{self.unit.capitalize()} reaching each stage")
        ax.set_xlabel(self.unit)
        return figure(ax.figure, alt=self.alt["funnel"])

    @section("funnel_table")
    def _funnel_table(self):
        """Conversion, drop-off and time between stages."""
        funnel = self.need(self.funnel, "funnel")
        caption = "Funnel"
        if self.unit == "journeys":
            caption += " (each row of the export is one journey: it has no customer ids)"
        if not funnel["median_days"].notna().any():  # no time between stages without event times
            funnel = funnel.drop(columns=["median_days", "n_timed"])
        return table(funnel, caption=caption, digits=1, percent=["share_of_start", "conversion", "drop_off_rate"])

    @section("months")
    def _months_chart(self):
        """Each month's conversions."""
        return figure(plot_funnel_by_month(self._chart_months()).figure, alt=self.alt["months"])

    @section("month_changes")
    def _month_changes(self):
        """The report month's conversions against the month before."""
        months = self.need(self.months, "months")
        month = months[(months["month"] == self.month) & (months["entered"] > 0)]
        this = month[month["conversion"].notna()]
        if this.empty:
            raise NotEnoughDataError(f"there are no journey events in {self.month}, so there is no change to show.")
        unobserved = month[month["conversion"].isna()]
        note = (
            f" ({_and(unobserved['from_stage'])}: no events in the month, so the step from it is not shown)"
            if len(unobserved)
            else ""
        )
        if this["previous"].isna().all():
            raise NotEnoughDataError(
                f"{self.month} is the first month in the journey data, so there is no month before to compare "
                "with; the change shows from the data's second month on."
            )
        return table(
            this.drop(columns=["from_stage", "to_stage", "p"]),
            caption=f"Conversion in {self.month} against the month before{note}",
            digits=2,
            percent=["conversion", "previous"],
            pp=["change"],
            labels={"p_adjusted": "p of change (adjusted)"},
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
        note = self._of_all(self.top, len(pain), "those ranked, then the most used")
        return table(
            self._pain_rows()[columns], caption=f"Pain points, {self.period}{note}", digits=2, percent=["poor_share"]
        )

    @section("pain")
    def _pain_chart(self):
        """Pain points at a glance."""
        rows = self._pain_chart_rows()
        title = (
            None if len(self.need(self.pain, "pain")) <= self.top else "Pain points: ranked first, then the most used"
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
            note = self._of_all(
                self.top, len(performance), "the lowest task success" if order == "success_rate" else "the most events"
            )
        return table(
            performance.head(self.top),
            caption=f"Task success and duration by {by}, {self.period}{note}",
            digits=2,
            percent=["success_rate"],
            labels={"success_p_adjusted": "success p adj"},
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
            note = self._of_all(self.top, len(touches), "the clearest differences between channels")
        if not (consistency["channels"] >= 2).any():  # no comparison: the means per channel alone
            return table(
                _within_scale(consistency[[name, channel, "n", "mean", "ci_low", "ci_high"]], self._scale),
                caption=f"{metric_label(self.score)} by {name} and {channel}, {self.period}{note}: no {name} has "
                f"two {channel}s with {self.min_n} or more scores each, so none is compared",
                digits=2,
            )
        return table(
            consistency,
            caption=f"Omnichannel consistency, {self.period}{note}",
            digits=2,
            labels={"p": "p (Welch)"},
        )


# --------------------------------------------------------------------------- findings


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _p_text(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


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
    label = metric_label(comparison.score)
    low = comparison.lowest()
    word = "lowest" if low["higher_is_better"] else "highest"
    stage_part = f"the {low['stage']} stage ({low['mean']:.2f})"
    touch = _lowest_touchpoint(pain, low["higher_is_better"]) if pain is not None else None
    if touch is None:
        sig = "significantly" if low["significant"] else "though not significantly"
        return f"{label} is {word} at {stage_part}, {sig} below every other stage."
    touch_part = f"the {touch['touchpoint']} touchpoint ({touch['mean']:.2f})"
    if low["significant"] and touch["significant"]:
        return f"{label} is {word} at {stage_part} and at {touch_part}, both significantly worse than the rest."
    if low["significant"]:
        return (
            f"{label} is {word} at {stage_part}, significantly worse than every other stage; among "
            f"touchpoints it is {word} at {touch_part}, not significantly worse than the others."
        )
    if touch["significant"]:
        return (
            f"{label} is {word} at {touch_part}, significantly worse than the other touchpoints; among "
            f"stages it is {word} at {stage_part}, not significantly worse than every other stage."
        )
    return f"{label} is {word} at {stage_part} and at {touch_part}, but neither is significantly worse than the rest."


def funnel_finding(funnel: pd.DataFrame, *, unit: str = "customers") -> str:
    """One sentence on a :func:`funnel`: how many reached the last stage and the largest drop;
    ``unit`` names what the funnel counts (``"journeys"`` when each row is one, without ids).

    >>> from cxkit.analysis.funnel import funnel
    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_stage": ["awareness", "decision", "awareness"]})
    >>> funnel_finding(funnel(events, time=None))
    'Of 2 customers, 1 (50.0%) reached decision; the largest drop is awareness to consideration: 50.0% continued (95% CI 9.5%–90.5%), 1 did not.'
    """
    if len(funnel) < 2:
        return f"All {int(funnel['reached'].iloc[0]):,} {unit} are at {funnel['stage'].iloc[0]}."
    start, end = funnel.iloc[0], funnel.iloc[-1]
    steps = funnel.iloc[1:]
    worst = steps.loc[steps["conversion"].idxmin()]  # type: ignore[call-overload]  # stubs: .loc refuses idxmin's Hashable label
    prev_stage = funnel["stage"].iloc[cast(int, funnel.index.get_loc(worst.name)) - 1]  # a label of a unique index
    text = (
        f"Of {start['reached']:,} {unit}, {end['reached']:,} ({_pct(end['share_of_start'])}) reached "
        f"{end['stage']}; the largest drop is {prev_stage} to {worst['stage']}: {_pct(worst['conversion'])} "
        f"continued (95% CI {_pct(worst['ci_low'])}–{_pct(worst['ci_high'])}), {int(worst['drop_off']):,} did not"
    )
    if np.isfinite(worst["median_days"]):
        text += f", and those who did took a median of {worst['median_days']:.1f} days"
    return text + "."


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
    this = months[months["month"] == report]
    if this.empty:
        return f"There are no journey events in {report}."
    if this["previous"].isna().all():
        return f"{report} is the first month in the data, so there is no month-over-month change."
    changed = this[this["significant"].fillna(False).astype(bool)]
    if changed.empty:
        return (
            f"No step of the funnel converted significantly differently in {report} than the month "
            f"before (two-proportion tests, Holm-adjusted over the steps)."
        )
    parts = []
    row: Any  # itertuples rows: the stubs type each field as any scalar
    for row in changed.itertuples(index=False):
        direction = "rose" if row.change > 0 else "fell"
        parts.append(
            f"In {report}, conversion from {row.from_stage} to {row.to_stage} {direction} from "
            f"{_pct(row.previous)} to {_pct(row.conversion)} ({_p_text(row.p_adjusted)}, adjusted)."
        )
    return " ".join(parts)


def pain_finding(pain: pd.DataFrame) -> str:
    """One sentence on the top-ranked pain point of :func:`pain_points`.

    >>> from cxkit.analysis.touchpoints import pain_points
    >>> events = pd.DataFrame({"touchpoint": ["billing", "website"] * 40, "csat": [1, 4, 3, 5] * 20})
    >>> pain_finding(pain_points(events)).startswith("The biggest pain point is billing: mean 2.00")
    True
    """
    name = pain.columns[0]
    ranked = pain[pain["rank"].notna()]
    if ranked.empty:
        return f"No {name} has enough scores to rank pain points."
    top = ranked.iloc[0]
    if not round(float(top["excess_poor"])) > 0 and not top["significantly_worse"]:  # none is worse than average
        return (
            f"No {name} stands out as a pain point: none produces more poor experiences than an average "
            f"{name} would at its volume."
        )
    text = (
        f"The biggest pain point is {top[name]}: mean {top['mean']:.2f} (95% CI {top['ci_low']:.2f}–"
        f"{top['ci_high']:.2f}, n = {top['n']:,}), {_pct(top['poor_share'])} poor scores across "
        f"{top['volume']:,} events, about {top['excess_poor']:,.0f} more poor experiences than an "
        f"average {name} would give"
    )
    if top["significantly_worse"]:
        return text + f"; significantly worse than the other {name}s ({_p_text(top['p_adjusted'])}, adjusted)."
    return text + f"; not significantly worse than the other {name}s."


def _fmt(x: float) -> str:
    return "nan" if not np.isfinite(x) else (f"{x:.2f}" if abs(x) < 100 else f"{x:,.0f}")


def _p(p: float) -> str:
    """The part after "p" (``= 0.034``, ``< 0.001``), in the pack's one p-value format."""
    return p_phrase(p)[2:]


def _test_text(row: dict) -> str:
    p = f"p {_p(row['p'])}"
    if row["stat"] == "F":
        return f"{row['test']} F({row['df1']:.0f}, {row['df2']:.1f}) = {row['statistic']:.2f}, {p}"
    return f"{row['test']} {row['stat']}({row['df1']:.0f}) = {row['statistic']:.2f}, {p}"


def stage_finding(comparison: StageComparison) -> str:
    """One plain-language sentence on a :func:`cxkit.compare_stages` result; it claims a
    difference only when it is significant."""
    label = metric_label(comparison.score)
    welch = comparison.test("Welch ANOVA")
    test = welch if np.isfinite(welch["p"]) else comparison.test("Kruskal-Wallis")
    low = comparison.lowest()
    word = "lowest" if low["higher_is_better"] else "highest"
    where = (
        f"{label} is {word} at {low['stage']} ({_fmt(low['mean'])}, 95% CI "
        f"{_fmt(low['ci_low'])}–{_fmt(low['ci_high'])}, n = {low['n']:,})"
    )
    if not test["p"] < comparison.alpha:
        return (
            f"{label} does not differ significantly between {comparison.stage.replace('_', ' ')}s "
            f"({_test_text(test)}); the {word} value is at {low['stage']} ({_fmt(low['mean'])})."
        )
    if low["significant"]:
        return (
            f"{where}, significantly {'below' if low['higher_is_better'] else 'above'} every other "
            f"{comparison.stage.replace('_', ' ')} ({_test_text(test)}; Games-Howell, largest adjusted "
            f"p {_p(low['p_max'])})."
        )
    return (
        f"{where}; {comparison.stage.replace('_', ' ')}s differ ({_test_text(test)}), but {low['stage']} is "
        f"not significantly {word} against every other one (largest adjusted p {_p(low['p_max'])})."
    )


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
        for r in part.itertuples(index=False):
            text = f"{r.value:.{d}f} ({r.ci_low:.{d}f} to {r.ci_high:.{d}f})"
            if r.significant:
                text += " ▼ significantly lowest" if r.higher_is_better else " ▲ significantly highest"
            texts[r.stage] = text
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
            label = metric_label(row.metric)
            word = "lowest" if row.higher_is_better else "highest"
            if row.significant:
                worse = "" if row.higher_is_better else " (more effort)"
                out.append(
                    f"In the survey, {label} is significantly {word}{worse} at {row.stage} ({row.value:.2f}, "
                    f"95% CI {row.ci_low:.2f}–{row.ci_high:.2f})."
                )
            elif not row.p < alpha:
                out.append(
                    f"In the survey, {label} does not differ significantly between stages (Welch {_p_text(row.p)})."
                )
            else:
                out.append(
                    f"In the survey, {label} differs between stages (Welch {_p_text(row.p)}); it is "
                    f"{word} at {row.stage}, but not significantly against every other stage."
                )
        if any(note.startswith("sentiment") for note in scorecard.attrs.get("notes", [])):
            out.append("Sentiment by stage: this month's survey responses have no comments that could be scored.")
    if funnel is not None and len(funnel):
        out.append(funnel_finding(funnel, unit=unit))
    if months is not None and len(months):
        out.append(monthly_finding(months, month))
    if pain is not None and len(pain):
        out.append(pain_finding(pain))
    if performance is not None and "lowest_success" in performance.columns:
        name = performance.columns[0]
        low = performance[performance["lowest_success"]]
        if len(low):
            row = low.iloc[0]
            where = f"at {row[name]}" if name == "touchpoint" else f"in the {name} {row[name]}"
            out.append(
                f"Task success is significantly lowest {where}: {_pct(row['success_rate'])} (95% CI "
                f"{_pct(row['success_ci_low'])}–{_pct(row['success_ci_high'])}, n = {row['success_n']:,})."
            )
        else:
            out.append(f"No {name} has a task success rate significantly below the others.")
    if consistency is not None and len(consistency):
        name, channel = consistency.columns[0], consistency.columns[1]
        multi = consistency[consistency["channels"] >= 2]
        tested = multi.drop_duplicates(name)
        untested = tested[tested["consistent"].isna()]
        touches = tested[tested["consistent"].notna()]
        differing = touches[touches["consistent"].eq(False).fillna(False).astype(bool)]
        if len(untested):
            names = list(map(str, untested[name]))
            listed = ", ".join(names) if len(names) <= 5 else f"{', '.join(names[:3])} and {len(names) - 3} more"
            out.append(
                f"{listed}: the {channel}s could not be compared (a {channel}'s "
                f"scores do not vary, so Welch's test is undefined)."
            )
        if touches.empty and untested.empty:
            out.append(f"No {name} is served by two or more {channel}s with enough scores to compare.")
        elif differing.empty and len(touches) == 1:
            out.append(
                f"The experience is consistent across {channel}s: {touches.iloc[0][name]}, the only {name} "
                f"served by several {channel}s, does not differ significantly between them."
            )
        elif differing.empty:
            out.append(
                f"The experience is consistent across {channel}s: none of the {len(touches)} {name}s served "
                f"by several {channel}s differs significantly between them."
            )
        for row in differing.itertuples(index=False):
            part = multi[multi[name] == getattr(row, name)]
            best, worst = part.loc[part["mean"].idxmax()], part.loc[part["mean"].idxmin()]
            out.append(
                f"{getattr(row, name)} differs between {channel}s: {best[channel]} {best['mean']:.2f} vs "
                f"{worst[channel]} {worst['mean']:.2f} ({_p_text(row.p_adjusted)}, adjusted)."
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
        finding = f"The journey data give no result for {month or 'the data'}; the page says what each analysis needs."
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
