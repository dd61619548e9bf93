"""Topic discovery's speed against an earlier cxkit, alternated in fresh processes (issue 26).

The texts are those of ``benchmarks/themes.py`` that match no theme of the retail template (37k of
100,000 comments, seed 0). Each round runs ``cx.suggest_topics`` on them once in a fresh process
with ``--baseline DIR``'s cxkit (a checkout of an earlier commit, e.g.
``git archive <commit> | tar -x -C DIR``) and once with this tree's, one thread each; reported:
medians of wall and CPU seconds, their ratios, and the topics found. Writes
benchmarks/results/themes.json (``discovery_vs_baseline``), keeping its other keys.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/topics_speed.py --baseline DIR --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "themes.json"
CHILD = """
import json, sys, time
import pandas as pd
import cxkit as cx
assert cx.__file__.startswith(sys.argv[1]), cx.__file__
rest = pd.read_pickle(sys.argv[2])
t0, c0 = time.perf_counter(), time.process_time()
topics = cx.suggest_topics(rest["text"], language=rest["language"], seed=0)
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "topics": len(topics)}))
"""


def run(tree: Path, texts: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(texts)], cwd=tree, env=env, capture_output=True, text=True
    )
    if out.returncode:  # python -c puts the working directory first on sys.path: run from the tree
        raise RuntimeError(f"suggest_topics in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--baseline-commit", default="", help="the commit DIR was made from, recorded")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    from themes import corpus

    import cxkit as cx

    data = corpus(100_000)
    tags = cx.tag_themes(data["text"], themes=cx.theme_set({"template": "retail"}), language=data["language"])
    rest = data[~tags.any(axis=1)]
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    with tempfile.TemporaryDirectory() as tmp:
        texts = Path(tmp) / "rest.pkl"
        rest.to_pickle(texts)
        for _ in range(args.rounds):  # alternate the earlier tree and this one
            runs["baseline"].append(run(args.baseline.resolve(), texts))
            runs["this"].append(run(ROOT, texts))
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("wall_s", "cpu_s")} for k, v in runs.items()}
    result = {
        "texts": len(rest),
        "baseline_dir": str(args.baseline),
        "baseline_commit": args.baseline_commit,
        "rounds": runs,
        "median": med,
        "ratio_wall_this_to_baseline": med["this"]["wall_s"] / med["baseline"]["wall_s"],
        "ratio_cpu_this_to_baseline": med["this"]["cpu_s"] / med["baseline"]["cpu_s"],
        "load_average_1m_at_end": os.getloadavg()[0],
        "command": f"OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/topics_speed.py --baseline DIR "
        f"--rounds {args.rounds}",
    }
    doc = json.loads(OUT.read_text()) if OUT.exists() else {}
    doc["discovery_vs_baseline"] = result
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
