"""Speed of theme tagging and topic discovery on 100k comments, one core (issue 26).

Comments: 100,000 drawn with replacement (seed 0) from the shared real review sets (Amazon Alexa,
Danish and Swedish Trustpilot; ../shared/datasets), with their languages. Measured: the retail
template's tagging (Snowball stems, weak terms), the generic list's regex tagging as the floor it
replaces (alternated, medians of ``--repeats``), and topic discovery on the texts that match no
theme. Writes benchmarks/results/themes.json (``speed``), keeping its other keys.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/themes.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

import cxkit as cx

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
OUT = Path(__file__).resolve().parent / "results" / "themes.json"


def labelled_sets() -> pd.DataFrame:
    """The shared real texts with their language (en: Alexa; da: Trustpilot ProShop/Zalando; nb: NoReC
    sentences, train split; sv: Trustpilot, read as its SOURCE.md says: split on CRLF, rating after the last tab)."""
    catalog = cx.load_catalog(
        Path(__file__).resolve().parents[1] / "data" / "public.yaml", only=["alexa", "norec_train"]
    )
    alexa, norec = catalog["alexa"].frame, catalog["norec_train"].frame
    da = pd.read_csv(SHARED / "danish_trustpilot_reviews_dev" / "output_proshop_zalando.csv")
    lines = (
        (SHARED / "swedish_trustpilot_reviews_dev" / "trustpilot_reviews.tsv")
        .read_bytes()
        .decode("utf-8")
        .split("\r\n")
    )
    sv = [line.rsplit("\t", 1)[0] for line in lines[1:] if line]
    return pd.concat(
        [
            pd.DataFrame({"text": alexa["text"].dropna(), "language": "en"}),
            pd.DataFrame({"text": da["review"].dropna().astype(str), "language": "da"}),
            pd.DataFrame({"text": norec["text"].dropna().astype(str), "language": "nb"}),
            pd.DataFrame({"text": sv, "language": "sv"}),
        ],
        ignore_index=True,
    )


def corpus(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` comments, nearly all distinct (tagging works per distinct text, so repeats would flatter
    it): each is two texts of one language drawn with replacement and joined."""
    pool = labelled_sets()
    first = pool.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    for lang, group in first.groupby("language"):
        second = pool[pool["language"] == lang].sample(len(group), replace=True, random_state=seed + 1)
        first.loc[group.index, "text"] = group["text"].to_numpy() + " " + second["text"].to_numpy()
    return first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = corpus(args.n)
    retail = cx.theme_set({"template": "retail"})
    template_s, generic_s = [], []
    for _ in range(args.repeats):  # alternate floor and cxkit
        t0 = time.perf_counter()
        cx.tag_themes(data["text"])
        generic_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tags = cx.tag_themes(data["text"], themes=retail, language=data["language"])
        template_s.append(time.perf_counter() - t0)
    rest = data[~tags.any(axis=1)]
    t0 = time.perf_counter()
    topics = cx.suggest_topics(rest["text"], language=rest["language"], seed=0)
    topics_s = time.perf_counter() - t0
    result = {
        "n_comments": args.n,
        "distinct_comments": int(data["text"].nunique()),
        "load_average_1m_at_end": os.getloadavg()[0],
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        "template_tagging_s_median": float(np.median(template_s)),
        "generic_regex_tagging_s_median": float(np.median(generic_s)),
        "ratio_template_to_generic": float(np.median(template_s) / np.median(generic_s)),
        "discovery_s": topics_s,
        "discovery_texts": len(rest),
        "topics_found": len(topics),
        "themes_plus_discovery_s": float(np.median(template_s)) + topics_s,
        "command": f"OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/themes.py --repeats {args.repeats}",
    }
    doc = json.loads(OUT.read_text()) if OUT.exists() else {}
    doc["speed"] = result
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
