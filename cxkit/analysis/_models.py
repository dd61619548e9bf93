"""The design and formula machinery the regression models share (:func:`cxkit.churn_model`,
:func:`cxkit.cox_model`): which columns may be covariates, formulas built from covariates (and
the reference level of each categorical one), the columns a formula uses, model data that patsy
reads the way an analyst expects, aliased design columns, readable term labels, and the steps
both models are built from.

Both models read as the same named steps (lifelines' ``CoxPHFitter.fit`` reads preprocess ->
fit -> standard errors -> confidence intervals):

1. **prepare design**: :func:`covariate_formula` (or the analyst's formula), :func:`formula_columns`,
   :func:`lump_covariates` (a category with many levels keeps its
   :data:`~cxkit.analysis._groups.LUMP_MAX_LEVELS` most common, the rest become "other"),
   :func:`model_data`, :func:`complete_rows`, :func:`reference_levels`, then the model's own
   statsmodels design and :func:`aliased_design` (exact combinations of other columns are left
   out of the fit, with a warning); the result is a :class:`Design`;
2. **fit**: each model its own (Newton-Raphson then statsmodels ``Logit``; statsmodels ``PHReg``),
   and its own exact check of which coefficients run off to infinity (separation, monotone
   likelihood);
3. **standard errors**: :func:`standard_errors` (the runaway coefficients not estimable, the others
   from the information beside them), then :func:`effects_table` (ratios, intervals, adjusted p);
4. **checks**: :func:`events_per_parameter`, :func:`tenure_price_leaks`, :func:`outcome_leaks`,
   :func:`collinearity`, then :func:`emit` raises every warning found, in order, and returns
   their messages for the result's ``.warnings``.

A private hub: :mod:`cxkit.analysis.churn` and :mod:`cxkit.analysis.survival` take these from
here, never from each other.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from .._stats import adjust_p, covariance_beside_separation
from ..errors import DataWarning
from ._groups import combine_levels, lump_note, rare_levels

if TYPE_CHECKING:
    from patsy import DesignInfo

#: Column names that hold personal data or identifiers and are never model covariates.
NOT_COVARIATES = {
    "customer_id",
    "name",
    "first_name",
    "last_name",
    "surname",
    "full_name",
    "email",
    "e_mail",
    "phone",
    "phone_number",
    "mobile",
    "address",
    "street",
    "zip",
    "postcode",
    "ip",
    "ip_address",
}
DAYS_PER_MONTH = 30.4375
#: Thresholds of the model checks (documented in :func:`cxkit.churn_model`).
LEAKAGE_AUC = 0.95
MIN_EVENTS_PER_PARAMETER = 10
MAX_VIF = 10.0
_SCREEN_ROWS = 200_000

# Columns join_cx adds that are measured after (or because of) the customer's history, or that
# duplicate nps_category: never picked as default covariates.
CX_COLUMNS = {"nps", "nps_responded_at", "comment_sentiment", "review_sentiment"}
SURVIVAL_COLUMNS = {"nps_category"}  # known only from the answer's date on: see detractor_effect


# --------------------------------------------------------------------------- model data and formulas


def require(df: pd.DataFrame, columns: Iterable[Hashable | None], *, argument: str = "column") -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of customers, got {type(df).__name__}.")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        shown = ", ".join(map(str, list(df.columns)[:25]))
        raise ValueError(
            f"column {missing[0]!r} ({argument}) is not in the data. Pass {argument}=<your column>, "
            f"or map it in the catalog (columns: {{{missing[0]}: <source column>}}). Columns present: {shown}."
        )


def as_float(series: pd.Series) -> np.ndarray:
    """Numbers and booleans (nullable or not) as float64 with NaN for missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    return pd.to_numeric(series, errors="raise").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def event_values(series: pd.Series, name: str) -> np.ndarray:
    """The event column as 1.0/0.0 (NaN when missing); booleans or 0/1 numbers only."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = as_float(series)
        bad = ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        if bad.any():
            raise ValueError(
                f"column {name!r} must be 0/1 or true/false; found {values[bad][0]!r}. "
                f"Recode it in the catalog (values: {{{name}: {{...: true}}}})."
            )
        return values
    sample = series.dropna().astype(str).unique()[:3].tolist()
    raise ValueError(
        f"column {name!r} must be boolean or 0/1, not text ({sample}). Recode it in the catalog, "
        f'e.g. values: {{{name}: {{"Yes": true, "No": false}}}}.'
    )


def is_numeric(series: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)) and not isinstance(
        series.dtype, pd.CategoricalDtype
    )


def model_data(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    event: str | None = None,
    levels: dict | None = None,
    categorical: dict | None = None,
) -> pd.DataFrame:
    """A copy of ``columns`` that patsy reads the way an analyst expects.

    Numbers and booleans become float64 (NaN for missing, booleans 1/0); text becomes a pandas
    Categorical of its observed levels, sorted (so patsy's default reference is unchanged);
    Categoricals keep their order; the event becomes 1.0/0.0. ``categorical`` maps columns to
    a reference level: they become Categoricals with that level first (patsy's reference),
    numbers included. ``levels`` fixes the categories of categorical columns (those of a fitted
    model, so that new data is coded the same way; unseen values become missing).
    """
    out: dict[Hashable, np.ndarray | pd.Categorical] = {}
    levels = levels or {}
    categorical = categorical or {}
    for col in dict.fromkeys(columns):
        s = df[col]
        if col == event:
            out[col] = event_values(s, col)
        elif col in levels:
            values = s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s
            if not is_numeric(s):
                values = values.astype("string").astype(object).where(values.notna(), None)
            values = values.astype(object).where(values.isin(levels[col]), None)  # unseen levels: missing
            out[col] = pd.Categorical(values, categories=levels[col])
        elif col in categorical:
            cat = (
                s.array
                if isinstance(s.dtype, pd.CategoricalDtype)
                else pd.Categorical(
                    s.astype(object).where(s.notna(), None)
                    if is_numeric(s)
                    else s.astype("string").astype(object).where(s.notna(), None)
                )
            )
            cat = cat.remove_unused_categories()
            ref = categorical[col]
            match = [c for c in cat.categories if str(c) == str(ref)]
            if not match:
                raise ValueError(
                    f"reference level {ref!r} of {col!r} does not occur; levels: "
                    f"{[str(c) for c in cat.categories][:20]}."
                )
            first = list(cat.categories).index(match[0])
            out[col] = cat.reorder_categories(
                [cat.categories[first]] + [c for i, c in enumerate(cat.categories) if i != first]
            )
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.array.remove_unused_categories()
        elif is_numeric(s):
            out[col] = as_float(s)
        elif pd.api.types.is_datetime64_any_dtype(s):
            raise ValueError(
                f"column {col!r} is a date; use a number derived from it (e.g. months since signup) "
                "as a covariate instead."
            )
        else:
            out[col] = pd.Categorical(s.astype("string").astype(object).where(s.notna(), None))
    return pd.DataFrame(out, index=df.index)


def reference_levels(data: pd.DataFrame) -> dict:
    """Reference (first) level of every categorical column of model data."""
    return {
        c: data[c].cat.categories[0]
        for c in data.columns
        if isinstance(data[c].dtype, pd.CategoricalDtype) and len(data[c].cat.categories)
    }


def default_reference(series: pd.Series) -> Any:
    """The reference level of a categorical covariate.

    A pandas Categorical uses its first category (the analyst chose the order); text uses the
    most frequent level (ties: the alphabetically first), so every other level is compared
    with the bulk of the customers and its odds ratio is estimated as precisely as possible.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return next(c for c in series.cat.categories if c in present)
    counts = series.dropna().astype(str).value_counts()
    if counts.empty:
        raise ValueError(f"column {series.name!r} has no values: leave it out of the covariates, or check the filter.")
    top = counts.max()
    return sorted(counts.index[counts == top])[0]


def quote_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"Q({name!r})"


def formula_rhs(df: pd.DataFrame, covariates: Sequence[str], reference: dict | None) -> tuple[str, dict]:
    """Formula right-hand side for ``covariates`` and the reference level of each categorical one.

    Numbers and booleans enter as they are; text (and any column named in ``reference``) as a
    category whose reference is :func:`default_reference` or ``reference[col]``. The terms are
    bare column names: :func:`model_data` with ``categorical=`` puts the reference first, which
    patsy uses as the reference (and codes fast, unlike ``C(col, Treatment(...))``).
    """
    reference = dict(reference or {})
    unknown = set(reference) - set(covariates)
    if unknown:
        raise ValueError(f"reference names {sorted(unknown)} which are not covariates of the model.")
    terms: list[str] = []
    refs: dict[str, Any] = {}
    for col in covariates:
        s = df[col]
        terms.append(quote_name(col))
        if is_numeric(s) and col not in reference:
            continue
        refs[col] = reference[col] if col in reference else default_reference(s)
    if not terms:
        raise ValueError("no covariates: pass covariates=[...] or a formula.")
    return " + ".join(terms), refs


LEAKAGE_R2 = 0.95


def tenure_price_leaks(data: pd.DataFrame, columns: Iterable[str], *, tenure: str, revenue: str) -> list[str]:
    """Numeric columns explained by tenure, price and tenure x price with R² >= 0.95 (a
    total-charges column); an empty list when tenure or price is missing."""
    if tenure not in data.columns or revenue not in data.columns:
        return []
    t = as_float(data[tenure])
    r = as_float(data[revenue])
    found = []
    for col in columns:
        s = data[col]
        if col in (tenure, revenue) or not is_numeric(s) or pd.api.types.is_bool_dtype(s):
            continue
        x = as_float(s)
        ok = ~(np.isnan(t) | np.isnan(r) | np.isnan(x))
        if ok.sum() < 10 or np.std(x[ok]) == 0:
            continue
        A = np.column_stack([np.ones(ok.sum()), t[ok], r[ok], t[ok] * r[ok]])
        coef, *_ = np.linalg.lstsq(A, x[ok], rcond=None)
        r2 = 1 - np.sum((x[ok] - A @ coef) ** 2) / np.sum((x[ok] - x[ok].mean()) ** 2)
        if r2 >= LEAKAGE_R2:
            found.append(
                f"{col} is almost exactly a function of {tenure} x {revenue} (R² = {r2:.3f}), like a "
                f"total-charges column. Try dropping {col}."
            )
    return found


#: What a formula may use besides the data's columns: patsy's own functions (C, I, Q,
#: Treatment, center, ...) and these. Formulas are evaluated against the data's columns and
#: this namespace only, never against the variables of the function that fits them (which
#: would turn a typo such as ``tenure`` for ``tenure_months`` into an argument's value).
FORMULA_NAMESPACE = {"np": np, "log": np.log, "log1p": np.log1p, "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs}


def _formula_functions() -> set[str]:
    import patsy.builtins

    return set(patsy.builtins.__all__) | set(FORMULA_NAMESPACE)


class _Names(ast.NodeVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []  # bare names (columns or functions)
        self.quoted: list[str] = []  # Q('column name')
        self.private: list[str] = []  # attributes such as x.__class__, never needed in a formula

    def visit_Name(self, node):
        self.names.append(node.id)

    def visit_Attribute(self, node):
        if node.attr.startswith("_"):
            self.private.append(node.attr)
        self.generic_visit(node)

    def visit_Call(self, node):
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "Q"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            self.quoted.append(str(node.args[0].value))
        self.generic_visit(node)


def _close_columns(name: str, columns: Iterable[str]) -> list[str]:
    """Columns a mistyped ``name`` may have meant: similar spellings, and columns that contain it
    (``tenure`` -> ``tenure_months``) or that it contains."""
    import difflib

    columns = [str(c) for c in columns]
    low = name.lower()

    def similarity(column):  # difflib's ratio depends on the order of its arguments: take the better
        return max(
            difflib.SequenceMatcher(None, low, column.lower()).ratio(),
            difflib.SequenceMatcher(None, column.lower(), low).ratio(),
        )

    scored = sorted(((similarity(c), c) for c in columns), key=lambda sc: -sc[0])
    close = [c for score, c in scored[:3] if score >= 0.6]
    close += [c for c in columns if low and (low in c.lower() or (len(c) > 2 and c.lower() in low))]
    return list(dict.fromkeys(close))[:5]


def formula_in_words(formula: str) -> str:
    """What a model formula explains by, as a reader says it (the formula itself stays on the
    result for analysts): ``churned ~ tenure_months + C(segment)`` -> ``tenure months, segment``.

    >>> formula_in_words("churned ~ tenure_months + C(segment, Treatment('SMB')) + np.log(monthly_revenue)")
    'tenure months, segment, log of monthly revenue'
    """
    from patsy import ModelDesc

    try:
        terms = ModelDesc.from_formula(formula).rhs_termlist
    except Exception:  # an unreadable formula is shown as it is
        return formula
    words = []
    for term in terms:
        names = []
        for factor in term.factors:
            code = factor.name()
            match = re.fullmatch(r"C\(\s*([^,)]+?)\s*(,.*)?\)", code)
            func = re.fullmatch(r"(?:np\.)?(log|exp|sqrt)\((.+)\)", code)
            if match:
                code = match.group(1)
            elif func:
                code = f"{func.group(1)} of {func.group(2)}"
            code = re.sub(r"""Q\((['"])(.+?)\1\)""", r"\2", code)  # a quoted column name
            names.append(code.replace("_", " "))
        if names:
            words.append(" × ".join(names))
    return ", ".join(words) or "nothing (intercept only)"


def formula_columns(formula: str, columns: Iterable[Hashable]) -> tuple[list[str], list[str]]:
    """The data columns a formula uses: (left-hand side, right-hand side).

    Every name in the formula must be a column of the data or one of the functions a formula
    may call (:data:`FORMULA_NAMESPACE` and patsy's own); anything else is an error that names
    the unknown term, the closest columns and the fix.
    """
    from patsy import ModelDesc

    try:
        desc = ModelDesc.from_formula(formula)
    except Exception as exc:  # patsy's own message says where the formula is malformed
        raise ValueError(f"could not read the formula {formula!r}: {exc}") from None
    known = set(map(str, columns))
    functions = _formula_functions()

    def cols(terms):
        found = []
        for term in terms:
            for factor in term.factors:
                visitor = _Names()
                try:
                    visitor.visit(ast.parse(factor.code, mode="eval"))
                except SyntaxError:
                    continue
                if visitor.private:
                    raise ValueError(
                        f"the formula {formula!r} uses the attribute {visitor.private[0]!r}; a formula "
                        "can use the data's columns and functions such as C(), I(), np.log() only."
                    )
                for name in [n for n in visitor.names if n not in known and n not in functions] + [
                    q for q in visitor.quoted if q not in known
                ]:
                    close = _close_columns(name, known)
                    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
                    raise ValueError(
                        f"the formula {formula!r} uses {name!r}, which is not a column of the data.{hint} Write "
                        f"the column's exact name (Q('my column') for a name with spaces or dots); besides columns "
                        f"a formula can use C(), I(), Q(), np.<function>, log, exp and sqrt."
                    )
                found += [n for n in visitor.names + visitor.quoted if n in known]
        return list(dict.fromkeys(found))

    return cols(desc.lhs_termlist), cols(desc.rhs_termlist)


def aliased_columns(
    X: np.ndarray, names: list[str], *, tol: float = 1e-9, gram: np.ndarray | None = None
) -> list[tuple[str, list[str]]]:
    """Design columns that are exact linear combinations of earlier ones (R ``glm``'s NA
    coefficients), each with the columns it is a combination of."""
    if gram is None:
        X = np.asarray(X, dtype=float)
        gram = X.T @ X
    kept: list[int] = []
    found: list[tuple[str, list[str]]] = []
    for j in range(X.shape[1]):
        diag = gram[j, j]
        if diag <= 0:
            found.append((names[j], []))
            continue
        if kept:
            g_kk = gram[np.ix_(kept, kept)]
            g_kj = gram[kept, j]
            coef = np.linalg.solve(g_kk, g_kj)
            residual = diag - g_kj @ coef
            if residual <= tol * diag:
                parts = [names[k] for k, c in zip(kept, coef) if abs(c) > 1e-6 and names[k] != "Intercept"]
                found.append((names[j], parts))
                continue
        kept.append(j)
    return found


_TERM = re.compile(
    r"^C\((?P<var>Q\('.+?'\)|[^,()]+)"  # C(var or C(Q('v a r')
    r"(?:,\s*(?:Treatment\((?:reference=)?(?P<ref>'[^']*'|\"[^\"]*\"|[^)]*)\)|[^)]*))?"  # , Treatment('ref')
    r"\)\[T\.(?P<level>.+)\]$"
)  # )[T.level]
_BARE = re.compile(r"^(?P<var>Q\('.+?'\)|[A-Za-z_][A-Za-z0-9_]*)\[T\.(?P<level>.+)\]$")


def term_label(term: str, references: dict | None = None) -> str:
    """A readable label for a statsmodels parameter name.

    >>> term_label("C(segment, Treatment('Consumer'))[T.SMB]")
    'segment: SMB vs Consumer'
    >>> term_label("segment[T.SMB]", {"segment": "Consumer"})
    'segment: SMB vs Consumer'
    >>> term_label("I(tenure_months / 12)")
    'tenure_months / 12'
    """
    references = references or {}
    m = _TERM.match(term) or _BARE.match(term)
    if m:
        var = m.group("var").strip()
        var = var[3:-2] if var.startswith("Q(") else var
        ref = m.groupdict().get("ref")
        ref = ref.strip("'\"") if ref else references.get(var)
        return f"{var}: {m.group('level')}" + (f" vs {ref}" if ref is not None else "")
    if term.startswith("I(") and term.endswith(")"):
        return term[2:-1]
    if term.startswith("Q('") and term.endswith("')"):
        return term[3:-2]
    return term


def default_covariates(
    df: pd.DataFrame, event: str, *, max_levels: int, max_missing: float, survival: bool = False
) -> tuple[list, list[str]]:
    """Every column that can be a covariate, and a note on each one left out."""
    chosen, notes = [], []
    n = len(df)
    for col in df.columns:
        s = df[col]
        low = str(col).lower()
        if col == event or low in NOT_COVARIATES or col in CX_COLUMNS or (survival and col in SURVIVAL_COLUMNS):
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            continue
        present = s.dropna()
        numeric = is_numeric(s)
        values = pd.to_numeric(present, errors="coerce").to_numpy(dtype=float) if numeric else None
        # values is the array when numeric
        if len(present) == 0 or (values.min() == values.max() if numeric else present.nunique() <= 1):  # type: ignore[union-attr]
            continue
        if "churn" in low:
            notes.append(f"{col}: left out (named like the outcome; include it explicitly if it is known before churn)")
            continue
        if 1 - len(present) / max(n, 1) > max_missing:
            notes.append(
                f"{col}: left out ({1 - len(present) / n:.0%} missing; naming it in covariates drops those customers)"
            )
            continue
        if numeric:
            assert values is not None  # numeric
            if len(present) > 50 and (values == np.round(values)).all() and len(np.unique(values)) == len(values):
                notes.append(f"{col}: left out (a different whole number on every row: an identifier)")
                continue
        elif present.nunique() > max_levels:
            notes.append(f"{col}: left out ({present.nunique():,} distinct values: an identifier or free text)")
            continue
        chosen.append(col)
    if not chosen:
        raise ValueError("no usable covariates in the customer table; pass covariates=[...] or a formula.")
    return chosen, notes


# --------------------------------------------------------------------------- 1. prepare design


@dataclass
class Design:
    """A model's prepared design: what its fit, standard errors and checks work on."""

    #: The formula fitted (categorical columns coded with their reference first).
    formula: str
    #: The statsmodels model on the design, aliased columns left out.
    model: Any
    #: Model data of the customers in the model (:func:`model_data`).
    data: pd.DataFrame
    #: The event column (churned) and the data columns on the formula's right-hand side.
    event: str
    covariates: list
    #: The reference level of each categorical column.
    references: dict
    #: The design columns fitted, their values (the rows the fit learns from), the event of each
    #: customer in ``data`` (1.0 churned, 0.0 not), X'X, and patsy's DesignInfo.
    names: list
    X: np.ndarray
    y: np.ndarray
    gram: np.ndarray
    design_info: object
    #: Customers left out for a missing value.
    dropped: int
    #: Notes (columns left out of the default covariates, rows left out).
    notes: list = field(default_factory=list)
    #: (warning class, message) found while preparing (aliased columns).
    found: list = field(default_factory=list)
    #: The levels of each lumped covariate that were combined into "other" (:func:`lump_covariates`).
    lumped: dict = field(default_factory=dict)


def covariate_formula(
    df: pd.DataFrame,
    covariates: str | Iterable[str] | None,
    reference: dict | None,
    *,
    choose: Callable[[], tuple[list[str], list[str]]],
) -> tuple[str, dict, list[str]]:
    """The right-hand side of a model of ``covariates`` (with None, the columns ``choose()``
    returns with its notes), the reference level of each categorical covariate, and the notes."""
    notes: list[str] = []
    if covariates is None:
        covariates, notes = choose()
    else:
        covariates = [covariates] if isinstance(covariates, str) else list(covariates)
        require(df, covariates, argument="covariates")
    rhs, refs = formula_rhs(df, covariates, reference)
    return rhs, refs, notes


def formula_levels(formula: str | None) -> set[str]:
    """The quoted strings of a formula (``Treatment('SMB')``'s reference, ``Q('a column')``):
    levels that lumping must not rename, or the formula would no longer find them.

    >>> sorted(formula_levels("churned ~ C(segment, Treatment('SMB')) + Q('plan type')"))
    ['SMB', 'plan type']
    """
    return {m.group(2) for m in re.finditer(r"""(['"])(.*?)\1""", formula or "")}


def lump_covariates(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    keep: Mapping[str, Iterable[Hashable]] | None = None,
    stacklevel: int = 4,
) -> tuple[pd.DataFrame, dict[str, list], list[str]]:
    """``df`` with every text or categorical column of ``columns`` lumped to at most
    :data:`~cxkit.analysis._groups.LUMP_MAX_LEVELS` levels (:func:`~cxkit.analysis._groups.lump_levels`,
    counted over the rows of ``df``; ``keep[col]`` are levels never renamed, e.g. the
    reference), the levels combined per lumped column, and a note on each; each note is issued
    as a :class:`~cxkit.errors.DataWarning` pointing ``stacklevel`` frames up. Numbers and
    booleans enter a model as they are, so they are never lumped. ``df`` itself is returned
    when nothing is lumped."""
    keep = keep or {}
    changed: dict[str, pd.Series] = {}
    lumped: dict[str, list] = {}
    notes: list[str] = []
    for col in dict.fromkeys(columns):
        s = df[col]
        if is_numeric(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        rare = rare_levels(s, keep=keep.get(col, ()))
        if not rare:
            continue
        changed[col], lumped[col] = combine_levels(s, rare), rare
        notes.append(lump_note(col, s.value_counts()[rare].to_list(), unit="customers"))
    for note in notes:
        warnings.warn(note, DataWarning, stacklevel=stacklevel)
    return (df.assign(**changed) if changed else df), lumped, notes


def complete_rows(data: pd.DataFrame, rows: int) -> pd.Series:
    """Which customers have every column of the model; an error that says what to do when none has."""
    complete = data.notna().all(axis=1)
    if not complete.any():
        raise ValueError(
            f"no customer has every column of the model filled in ({', '.join(map(repr, data.columns))}; "
            f"{rows:,} rows): drop the covariates that are mostly missing, or fill them in."
        )
    return complete


def aliased_design(
    X: np.ndarray, names: list[str], references: dict, *, effect: str, gram: np.ndarray | None = None
) -> tuple[list[str], str | None]:
    """The design columns to fit, and a warning naming those left out: exact combinations of
    earlier columns (R ``glm``'s NA coefficients), None when there are none."""
    aliased = aliased_columns(X, names, gram=gram)
    kept = [name for name in names if name not in {a for a, _ in aliased}]
    if not aliased:
        return kept, None
    label = lambda term: term_label(term, references)  # noqa: E731
    listing = "; ".join(
        f"{label(name)} (= a combination of {', '.join(map(label, parts)) or 'other columns'})"
        for name, parts in aliased
    )
    return kept, (
        f"{len(aliased)} design column(s) are exact combinations of others and were left out of the "
        f"fit (their {effect}s are not estimable): {listing}. Try dropping these redundant columns or "
        "merging the duplicated levels."
    )


# --------------------------------------------------------------------------- 2. fit


def far_bounds(exog: npt.ArrayLike) -> list[tuple[float, float]]:
    """Box for a fallback optimiser: coefficients moving the linear predictor by up to 40 across
    a covariate's largest value, far beyond any real effect (e^40) but short of the overflow
    where a runaway (separated) fit ends in NaN."""
    reach = np.abs(np.asarray(exog, dtype=float)).max(axis=0)
    reach[reach == 0] = 1.0
    return [(-40.0 / r, 40.0 / r) for r in reach]


# --------------------------------------------------------------------------- 3. standard errors


def standard_errors(
    params: npt.ArrayLike, se: npt.ArrayLike, flagged: np.ndarray, hessian: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and standard errors with the ``flagged`` coefficients (no finite estimate:
    separation, monotone likelihood) not estimable (NaN).

    The other coefficients converge while the flagged ones run off to infinity, so their
    covariance is the inverse of the information (``-hessian(params)``) on its directions of real
    curvature (:func:`cxkit._stats.covariance_beside_separation`)."""
    params = np.asarray(params, dtype=float).copy()
    se = np.asarray(se, dtype=float).copy()
    if flagged.any() and not flagged.all():
        with np.errstate(all="ignore"):
            cov = covariance_beside_separation(hessian(params))
            se[~flagged] = np.sqrt(np.diag(cov))[~flagged]
    params[flagged], se[flagged] = np.nan, np.nan
    return params, se


def effects_table(
    names: list[str],
    params: np.ndarray,
    se: np.ndarray,
    *,
    flagged: np.ndarray,
    references: dict,
    effect: str,
    note: str,
    alpha: float,
    padjust: str,
) -> pd.DataFrame:
    """One row per term: ``term``, ``label``, ``coef``, ``se``, ``z``, ``effect`` (the ratio,
    e.g. ``odds_ratio``), ``ci_low``, ``ci_high`` (Wald, on the ratio scale), ``p``,
    ``p_adjusted`` (across the terms other than the intercept), ``estimable`` and ``note``."""
    crit = stats.norm.ppf(1 - alpha / 2)
    effects = np.array([name != "Intercept" for name in names], dtype=bool)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        z = params / se
        p = 2 * stats.norm.sf(np.abs(z))
        p_adjusted = np.full_like(p, np.nan)
        p_adjusted[effects] = adjust_p(p[effects], padjust)
        return pd.DataFrame(
            {
                "term": names,
                "label": [term_label(name, references) for name in names],
                "coef": params,
                "se": se,
                "z": z,
                effect: np.exp(params),
                "ci_low": np.exp(params - crit * se),
                "ci_high": np.exp(params + crit * se),
                "p": p,
                "p_adjusted": p_adjusted,
                "estimable": ~flagged,
                "note": np.where(flagged, note, ""),
            }
        )


# --------------------------------------------------------------------------- 4. checks


def events_per_parameter(events: int, parameters: int, *, which: str, effect: str) -> list[str]:
    """A warning when there are fewer than :data:`MIN_EVENTS_PER_PARAMETER` ``which`` (the rarer
    outcome: churners or stayers; in a Cox model the churners) per estimated parameter."""
    if not parameters or events / parameters >= MIN_EVENTS_PER_PARAMETER:
        return []
    return [
        f"only {events / parameters:.1f} {which} per parameter ({events:,} {which}, {parameters} parameters; "
        f"fewer than {MIN_EVENTS_PER_PARAMETER}): {effect}s are biased away from 1 and may not replicate. Use "
        "fewer covariates or merge levels."
    ]


def outcome_leaks(data: pd.DataFrame, y: np.ndarray, columns: Iterable[str]) -> list[str]:
    """Covariates that alone separate churners from stayers (AUC >= :data:`LEAKAGE_AUC`): probably
    recorded at or after churn."""
    found = []
    # one covariate at a time: a random 200,000 customers are plenty to see an AUC of 0.95
    # (its standard error is then below 0.002) and keep this check fast on large data
    if len(y) > _SCREEN_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(len(y), _SCREEN_ROWS, replace=False))
        data, y = data.iloc[rows], y[rows]
    for col in columns:
        s = data[col]
        ok = s.notna().to_numpy() & ~np.isnan(y)
        if ok.sum() < 10:
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            auc = roc_auc_levels(s.cat.codes.to_numpy()[ok], y[ok])
        else:
            auc = roc_auc(y[ok], np.asarray(s, dtype=float)[ok])
            auc = max(auc, 1 - auc)
        if auc >= LEAKAGE_AUC:
            found.append(
                f"{col} alone predicts churn almost perfectly (AUC {auc:.3f}): it is probably recorded at "
                f"or after churn (leakage). Try dropping {col}, or use its value from before churn."
            )
    return found


def collinearity(design: Design, *, effect: str) -> tuple[pd.DataFrame, list[str]]:
    """The generalized VIF of each variable of the design (:func:`vif_table`), and a warning for
    each whose adjusted GVIF squared exceeds :data:`MAX_VIF`."""
    with np.errstate(all="ignore"):
        vif = vif_table(design.X, design.names, design.design_info, design.gram)
    found = [
        f"{variable_label(cast(str, row.variable))} is strongly collinear with other covariates (GVIF^(1/(2df)) squared = "
        f"{cast(float, row.vif_adjusted) ** 2:.1f} > {MAX_VIF:g}): its {effect} is imprecise. Consider dropping one of the "
        "overlapping covariates."
        for row in vif.itertuples()
        if cast(float, row.vif_adjusted) ** 2 > MAX_VIF
    ]
    return vif, found


def emit(found: list[tuple[type, str]], *, stacklevel: int = 3) -> list[str]:
    """Raise each (warning class, message) found, in order, as a warning pointing at the caller
    of the model function; the messages, for the result's ``.warnings``."""
    for category, message in found:
        warnings.warn(message, category, stacklevel=stacklevel)
    return [message for _, message in found]


# --------------------------------------------------------------------------- check helpers


def variable_label(term: str) -> str:
    """``C(segment, Treatment('SMB'))`` -> ``segment``; other terms as :func:`term_label`."""
    m = re.match(r"^C\((Q\('(.+?)'\)|[^,()]+)", term)
    if m:
        return m.group(2) or m.group(1).strip()
    return term_label(term)


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney, ties count one half)."""
    y = np.asarray(y, dtype=bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return np.nan
    ranks = stats.rankdata(score)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def roc_auc_levels(codes: np.ndarray, y: np.ndarray) -> float:
    """AUC of scoring each customer by their level's churn rate (in sample), from counts."""
    churners = np.bincount(codes, weights=y)
    sizes = np.bincount(codes).astype(float)
    stayers = sizes - churners
    with np.errstate(invalid="ignore", divide="ignore"):
        order = np.argsort(churners / np.where(sizes > 0, sizes, np.nan), kind="stable")
    n1, n0 = churners.sum(), stayers.sum()
    if n1 == 0 or n0 == 0:
        return np.nan
    rate = churners[order] / np.maximum(sizes[order], 1)
    # levels with equal rates are ties: merge them
    _keys, inverse = np.unique(np.round(rate, 12), return_inverse=True)
    c1 = np.bincount(inverse, weights=churners[order])
    c0 = np.bincount(inverse, weights=stayers[order])
    below = np.cumsum(c0) - c0
    return float(np.sum(c1 * (below + 0.5 * c0)) / (n1 * n0))


def vif_table(X: np.ndarray, names: list[str], design_info: DesignInfo | None, gram: np.ndarray) -> pd.DataFrame:
    """Generalized VIF per variable (Fox & Monette 1992): det(R11) det(R22) / det(R), with R the
    correlation matrix of the design columns without the intercept (from the Gram matrix X'X)."""
    n = len(X)
    mean = X.mean(axis=0)
    cov = (gram - n * np.outer(mean, mean)) / (n - 1)
    var = np.diag(cov).copy()
    cols = [j for j in range(len(names)) if var[j] > 1e-12 * max(1.0, abs(mean[j]) ** 2)]
    owner: dict[str, str] = {}
    if design_info is not None:
        all_names = list(design_info.column_names)
        for term, sl in design_info.term_name_slices.items():
            for name in all_names[sl]:
                owner[name] = term
    groups: dict[str, list[int]] = {}
    for pos, j in enumerate(cols):
        groups.setdefault(owner.get(names[j], names[j]), []).append(pos)
    if len(cols) < 2:
        return pd.DataFrame(
            {
                "variable": list(groups),
                "df": [len(v) for v in groups.values()],
                "vif": [1.0] * len(groups),
                "vif_adjusted": [1.0] * len(groups),
            }
        )
    sub = cov[np.ix_(cols, cols)]
    sd = np.sqrt(np.diag(sub))
    R = sub / np.outer(sd, sd)
    _, logdet_all = np.linalg.slogdet(R)
    rows = []
    for term, idx in groups.items():
        rest = [j for j in range(len(cols)) if j not in idx]
        _, l1 = np.linalg.slogdet(R[np.ix_(idx, idx)])
        _, l2 = np.linalg.slogdet(R[np.ix_(rest, rest)]) if rest else (1, 0.0)
        gvif = float(np.exp(l1 + l2 - logdet_all))
        rows.append({"variable": term, "df": len(idx), "vif": gvif, "vif_adjusted": gvif ** (1 / (2 * len(idx)))})
    return pd.DataFrame(rows)
