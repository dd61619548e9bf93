"""How often topic discovery finds a topic planted among the sample generator's comments (issue 26).

The bundled sample's survey comments of one month (cxkit's own generator, unchanged; every one of
them matches a theme of the generic list, so all of them are the background here) get ``--planted`` extra comments about a topic no theme covers (parking
at the store, in the comment's language mix: English, Danish, Norwegian, Swedish), written from a
few seeded templates. Recovered: one suggested topic of the planted texts' language has the planted
key word among its top 3 terms and holds at least 80% of them. Repeated over ``--runs`` seeds; the
share recovered goes to benchmarks/results/themes.json (``discovery_recovery``).

    python benchmarks/topics_recovery.py --runs 20
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

import cxkit as cx

OUT = Path(__file__).resolve().parent / "results" / "themes.json"
# Planted texts, written for this benchmark: key word, then phrases to combine.
PLANTED = {
    "en": (
        "parking",
        ["parking was full", "no parking spaces", "the parking lot is too small", "parking fees at the store"],
    ),
    "da": (
        "parkering",
        ["parkeringen var fuld", "ingen parkering ved butikken", "for lidt parkering", "dyr parkering"],
    ),
    "nb": (
        "parkering",
        ["parkeringen var full", "ingen parkering ved butikken", "for lite parkering", "dyr parkering"],
    ),
    "sv": ("parkering", ["parkeringen var full", "ingen parkering vid butiken", "för lite parkering", "dyr parkering"]),
}
FILLER = {
    "en": ["again", "today", "as usual", "annoying", "please fix it"],
    "da": ["igen", "i dag", "som altid", "irriterende", "ret det"],
    "nb": ["igjen", "i dag", "som alltid", "irriterende", "fiks det"],
    "sv": ["igen", "i dag", "som vanligt", "irriterande", "fixa det"],
}


def run(comments: pd.DataFrame, language: str, planted: int, seed: int) -> bool:
    rng = np.random.default_rng(seed)
    key, phrases = PLANTED[language]
    texts = [
        f"{rng.choice(phrases).capitalize()}, {rng.choice(phrases)} {rng.choice(FILLER[language])}."
        for _ in range(planted)
    ]
    extra = pd.DataFrame({"comment": texts, "language": language, "planted": True})
    data = pd.concat([comments.assign(planted=False), extra], ignore_index=True)
    data = data.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    topics = cx.suggest_topics(data["comment"], language=data["language"], seed=seed)
    mine = topics[(topics["language"] == language) & topics["terms"].map(lambda t: key in t[:3])]
    if len(mine) != 1:
        return False
    return int(mine["size"].iloc[0]) >= 0.8 * planted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--planted", type=int, default=30)
    args = parser.parse_args()
    fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    month = fb[pd.to_datetime(fb["responded_at"]).dt.to_period("M") == pd.Period("2026-10", "M")]
    month = month[month["comment"].notna()]
    background = month[["comment", "language"]]
    result = {"month": "2026-10", "planted_per_run": args.planted, "runs": args.runs, "by_language": {}}
    for language in PLANTED:
        hits = [run(background, language, args.planted, seed) for seed in range(args.runs)]
        result["by_language"][language] = {"recovered": int(sum(hits)), "runs": len(hits)}
    result["background_comments"] = len(background)
    result["command"] = f"python benchmarks/topics_recovery.py --runs {args.runs} --planted {args.planted}"
    doc = json.loads(OUT.read_text()) if OUT.exists() else {}
    doc["discovery_recovery"] = result
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
