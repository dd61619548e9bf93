"""A big journey table read from the runner's Parquet snapshot as Dask partitions (issue 31:
the journey page failed on 2M events with "to union ordered Categoricals ...")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

import cxkit as cx
from cxkit.data import catalog as catalog_module


def test_stage_counts_over_row_groups_holding_different_stages(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog_module, "_ROW_GROUP", 50)  # small row groups, one stage set each
    stages = ["awareness"] * 50 + ["retention"] * 50 + ["advocacy", "decision"] * 25
    n = len(stages)
    rng = np.random.default_rng(5)
    pd.DataFrame(
        {
            "event_id": [f"E{i:04d}" for i in range(n)],
            "customer_id": [f"C{i % 40:03d}" for i in range(n)],
            "occurred_at": pd.date_range("2026-10-01", periods=n, freq="h").strftime("%Y-%m-%dT%H:%M:%S"),
            "journey_stage": stages,
            "csat": rng.integers(1, 6, n),
        }
    ).to_csv(tmp_path / "journey.csv", index=False)
    (tmp_path / "cxkit.yaml").write_text(
        yaml.safe_dump({"version": 1, "sources": {"journey": {"table": "journey", "path": "journey.csv"}}})
    )
    snapshots = tmp_path / "snap"
    original = cx.load_catalog(tmp_path / "cxkit.yaml")
    original.snapshot_source("journey", snapshots)
    snap = cx.load_catalog(original.write_snapshot_catalog(snapshots))
    events = snap.dask("journey", files=True)
    assert events.npartitions == 3
    counts = events["journey_stage"].value_counts().compute()
    assert counts[counts > 0].to_dict() == {"awareness": 50, "retention": 50, "advocacy": 25, "decision": 25}
    assert list(events["journey_stage"].dtype.categories) == list(cx.STAGES)
