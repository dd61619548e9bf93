"""cxkit/errors.py holds every error and warning class of the package (issue 22 §4)."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pandas as pd
import pytest

import cxkit as cx
from cxkit import errors

PACKAGE = Path(cx.__file__).resolve().parent


def test_no_error_or_warning_class_is_defined_outside_errors_py():
    elsewhere = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception", "Warning"))
                for base in node.bases
            ):
                elsewhere.append(f"{path.relative_to(PACKAGE)}: {node.name}")
    assert elsewhere == []


def test_every_class_is_in_the_hierarchy_and_the_flat_api():
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, (errors.CxkitError, errors.CxkitWarning)), name
        assert getattr(cx, name) is cls, f"cx.{name}"
    assert all(issubclass(getattr(errors, n), UserWarning) for n in errors.__all__ if n.endswith("Warning"))
    # one filter quiets a churn model: its model warnings are churn warnings too
    assert issubclass(errors.SeparationWarning, errors.ChurnWarning)
    assert issubclass(errors.SeparationWarning, errors.ModelWarning)


def test_analyses_warn_with_cxkits_classes():
    small = pd.DataFrame({"journey_stage": ["awareness"] * 5 + ["decision"] * 5, "csat": [1, 2, 3, 4, 5] * 2})
    with pytest.warns(errors.SmallSampleWarning, match="fewer than 30 csat scores"):
        cx.compare_stages(small, score="csat")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cx.funnel(pd.DataFrame({"customer_id": ["a", None], "journey_stage": ["awareness", "decision"]}), time=None)
    assert any(issubclass(w.category, errors.DataWarning) for w in caught)
