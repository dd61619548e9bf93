"""Speed of masking a text column: ``mask_frame`` now, against the masking of main at abbbade
(emails and phones only, one Python regex pass per cell) and against the floor of one
vectorised pass of the pre-filter alone, in the same run.

    .venv/bin/python benchmarks/masking.py --rows 200000      # about a minute
    .venv/bin/python benchmarks/masking.py --rows 1000000 --repeat 3

Input: the ``text`` and ``title`` columns of ``cxkit sample --rows reviews=N`` read with pandas'
pyarrow reader (Arrow strings, as the readers give them), once as the sample has them (texts repeat
a few thousand templates) and once made distinct (each text gets its row number appended, so no
cache of distinct values helps; real reviews do not repeat). One identifier of each kind is planted
in every 1000th text. The three sides alternate within each round; medians over ``--repeat``
rounds. Results: ``benchmarks/results/masking.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BEFORE = "abbbade"  # main before issue 24: emails and phones, every cell through Python
PLANTED = [
    "jörg.müller@exämple.de",
    "+46 8-123 456 78",
    "900101-1239",
    "DK50 0040 0440 1162 43",
    "4111 1111 1111 1111",
    "01019012138",
]


def _old_privacy():
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE}:cxkit/privacy.py"], capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "privacy_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("privacy_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="reviews rows (default 200,000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--data", default=None, help="folder for the generated sample (default: a temporary one)")
    args = parser.parse_args()

    import pandas as pd

    from cxkit import privacy
    from cxkit.data.sample import generate

    folder = Path(args.data or tempfile.mkdtemp())
    path = folder / f"reviews_{args.rows}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate(rows={"reviews": args.rows})["reviews"].to_csv(path, index=False)
    base = pd.read_csv(path, engine="pyarrow", dtype_backend="pyarrow")[["title", "text"]].astype("str")
    every = base.index % 1000 == 0
    base.loc[every, "text"] = base.loc[every, "text"] + " " + " / ".join(PLANTED)
    unique = base.copy()
    unique["text"] = unique["text"] + " (" + pd.Series(range(len(unique)), index=unique.index).astype(str) + ")"
    old = _old_privacy()

    def floor(df):
        return [df[c].str.contains(privacy.PREFILTER, regex=True, na=False) for c in df.columns]

    sides = {"before": old.mask_frame, "cxkit": privacy.mask_frame, "prefilter_floor": floor}
    figures: dict = {}
    for name, df in (("reviews", base), ("reviews_unique", unique)):
        times: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.repeat):
            for side, fn in sides.items():
                start = time.perf_counter()
                out = fn(df)
                times[side].append(time.perf_counter() - start)
                if side == "cxkit":
                    masked = int((out["text"] != df["text"]).sum())
        med = {side: statistics.median(t) for side, t in times.items()}
        figures[name] = {
            "rows": len(df),
            "seconds": med,
            "ratio_cxkit_to_before": med["cxkit"] / med["before"],
            "ratio_cxkit_to_floor": med["cxkit"] / med["prefilter_floor"],
            "texts_masked": masked,
        }
        print(
            f"{name:15} {len(df):>9,} rows  before {med['before']:.2f} s  cxkit {med['cxkit']:.2f} s  "
            f"floor {med['prefilter_floor']:.2f} s  cxkit/before {med['cxkit'] / med['before']:.2f}  "
            f"cxkit/floor {med['cxkit'] / med['prefilter_floor']:.2f}  texts masked {masked:,}"
        )
    result = {
        "rows": args.rows,
        "repeat": args.repeat,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "figures": figures,
    }
    (ROOT / "benchmarks" / "results" / "masking.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
