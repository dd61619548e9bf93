"""The design and formula machinery the regression models share (:func:`cxkit.churn_model`,
:func:`cxkit.cox_model`): which columns may be covariates, formulas built from covariates (and
the reference level of each categorical one), the columns a formula uses, model data that patsy
reads the way an analyst expects, aliased design columns, readable term labels.

A private hub: :mod:`cxkit.analysis.churn` and :mod:`cxkit.analysis.survival` take these from
here, never from each other.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

#: Column names that hold personal data or identifiers and are never model covariates.
NOT_COVARIATES = {
    "customer_id", "name", "first_name", "last_name", "surname", "full_name", "email", "e_mail",
    "phone", "phone_number", "mobile", "address", "street", "zip", "postcode", "ip", "ip_address",
}
DAYS_PER_MONTH = 30.4375

# Columns join_cx adds that are measured after (or because of) the customer's history, or that
# duplicate nps_category: never picked as default covariates.
CX_COLUMNS = {"nps", "nps_responded_at", "comment_sentiment", "review_sentiment"}
SURVIVAL_COLUMNS = {"nps_category"}  # known only from the answer's date on: see detractor_effect


def require(df: pd.DataFrame, columns, *, argument: str = "column") -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of customers, got {type(df).__name__}.")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        shown = ", ".join(map(str, list(df.columns)[:25]))
        raise ValueError(
            f"column {missing[0]!r} ({argument}) is not in the data. Pass {argument}=<your column>, "
            f"or map it in the catalog (columns: {{{missing[0]}: <source column>}}). Columns present: {shown}.")


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
            raise ValueError(f"column {name!r} must be 0/1 or true/false; found {values[bad][0]!r}. "
                             f"Recode it in the catalog (values: {{{name}: {{...: true}}}}).")
        return values
    sample = series.dropna().astype(str).unique()[:3].tolist()
    raise ValueError(f"column {name!r} must be boolean or 0/1, not text ({sample}). Recode it in the catalog, "
                     f"e.g. values: {{{name}: {{\"Yes\": true, \"No\": false}}}}.")


def is_numeric(series: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)) and not isinstance(
        series.dtype, pd.CategoricalDtype)


def model_data(df: pd.DataFrame, columns, *, event: str | None = None, levels: dict | None = None,
                categorical: dict | None = None) -> pd.DataFrame:
    """A copy of ``columns`` that patsy reads the way an analyst expects.

    Numbers and booleans become float64 (NaN for missing, booleans 1/0); text becomes a pandas
    Categorical of its observed levels, sorted (so patsy's default reference is unchanged);
    Categoricals keep their order; the event becomes 1.0/0.0. ``categorical`` maps columns to
    a reference level: they become Categoricals with that level first (patsy's reference),
    numbers included. ``levels`` fixes the categories of categorical columns (those of a fitted
    model, so that new data is coded the same way; unseen values become missing).
    """
    out = {}
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
            cat = s.array if isinstance(s.dtype, pd.CategoricalDtype) else pd.Categorical(
                s.astype(object).where(s.notna(), None) if is_numeric(s) else
                s.astype("string").astype(object).where(s.notna(), None))
            cat = cat.remove_unused_categories()
            ref = categorical[col]
            match = [c for c in cat.categories if str(c) == str(ref)]
            if not match:
                raise ValueError(f"reference level {ref!r} of {col!r} does not occur; levels: "
                                 f"{[str(c) for c in cat.categories][:20]}.")
            first = list(cat.categories).index(match[0])
            out[col] = cat.reorder_categories([cat.categories[first]] + [c for i, c in enumerate(cat.categories)
                                                                         if i != first])
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.array.remove_unused_categories()
        elif is_numeric(s):
            out[col] = as_float(s)
        elif pd.api.types.is_datetime64_any_dtype(s):
            raise ValueError(f"column {col!r} is a date; use a number derived from it (e.g. months since signup) "
                             "as a covariate instead.")
        else:
            out[col] = pd.Categorical(s.astype("string").astype(object).where(s.notna(), None))
    return pd.DataFrame(out, index=df.index)


def reference_levels(data: pd.DataFrame) -> dict:
    """Reference (first) level of every categorical column of model data."""
    return {c: data[c].cat.categories[0] for c in data.columns
            if isinstance(data[c].dtype, pd.CategoricalDtype) and len(data[c].cat.categories)}


def default_reference(series: pd.Series):
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


def formula_rhs(df: pd.DataFrame, covariates, reference: dict | None) -> tuple[str, dict]:
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
    terms, refs = [], {}
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


def tenure_price_leaks(data: pd.DataFrame, columns, *, tenure: str, revenue: str) -> list[str]:
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
            found.append(f"{col} is almost exactly a function of {tenure} x {revenue} (R² = {r2:.3f}), like a "
                         f"total-charges column. Try dropping {col}.")
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
    def __init__(self):
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
        if isinstance(node.func, ast.Name) and node.func.id == "Q" and node.args and isinstance(node.args[0], ast.Constant):
            self.quoted.append(str(node.args[0].value))
        self.generic_visit(node)


def _close_columns(name: str, columns) -> list[str]:
    """Columns a mistyped ``name`` may have meant: similar spellings, and columns that contain it
    (``tenure`` -> ``tenure_months``) or that it contains."""
    import difflib

    columns = [str(c) for c in columns]
    low = name.lower()

    def similarity(column):  # difflib's ratio depends on the order of its arguments: take the better
        return max(difflib.SequenceMatcher(None, low, column.lower()).ratio(),
                   difflib.SequenceMatcher(None, column.lower(), low).ratio())

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


def formula_columns(formula: str, columns) -> tuple[list[str], list[str]]:
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
                    raise ValueError(f"the formula {formula!r} uses the attribute {visitor.private[0]!r}; a formula "
                                     "can use the data's columns and functions such as C(), I(), np.log() only.")
                for name in [n for n in visitor.names if n not in known and n not in functions] + [
                        q for q in visitor.quoted if q not in known]:
                    close = _close_columns(name, known)
                    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
                    raise ValueError(
                        f"the formula {formula!r} uses {name!r}, which is not a column of the data.{hint} Write "
                        f"the column's exact name (Q('my column') for a name with spaces or dots); besides columns "
                        f"a formula can use C(), I(), Q(), np.<function>, log, exp and sqrt.")
                found += [n for n in visitor.names + visitor.quoted if n in known]
        return list(dict.fromkeys(found))

    return cols(desc.lhs_termlist), cols(desc.rhs_termlist)


def aliased_columns(X: np.ndarray, names: list[str], *, tol: float = 1e-9, gram: np.ndarray | None = None
             ) -> list[tuple[str, list[str]]]:
    """Design columns that are exact linear combinations of earlier ones (R ``glm``'s NA
    coefficients), each with the columns it is a combination of."""
    if gram is None:
        X = np.asarray(X, dtype=float)
        gram = X.T @ X
    kept: list[int] = []
    found = []
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


_TERM = re.compile(r"^C\((?P<var>Q\('.+?'\)|[^,()]+)"  # C(var or C(Q('v a r')
                   r"(?:,\s*(?:Treatment\((?:reference=)?(?P<ref>'[^']*'|\"[^\"]*\"|[^)]*)\)|[^)]*))?"  # , Treatment('ref')
                   r"\)\[T\.(?P<level>.+)\]$")  # )[T.level]
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




def far_bounds(exog) -> list[tuple[float, float]]:
    """Box for a fallback optimiser: coefficients moving the linear predictor by up to 40 across
    a covariate's largest value, far beyond any real effect (e^40) but short of the overflow
    where a runaway (separated) fit ends in NaN."""
    reach = np.abs(np.asarray(exog, dtype=float)).max(axis=0)
    reach[reach == 0] = 1.0
    return [(-40.0 / r, 40.0 / r) for r in reach]




def default_covariates(df: pd.DataFrame, event: str, *, max_levels: int, max_missing: float, survival: bool = False):
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
        if len(present) == 0 or (values.min() == values.max() if numeric else present.nunique() <= 1):
            continue
        if "churn" in low:
            notes.append(f"{col}: left out (named like the outcome; include it explicitly if it is known before churn)")
            continue
        if 1 - len(present) / max(n, 1) > max_missing:
            notes.append(f"{col}: left out ({1 - len(present) / n:.0%} missing; naming it in covariates drops "
                         "those customers)")
            continue
        if numeric:
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
