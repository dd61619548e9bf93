"""Theme precision on the shared labelled review sets: a seeded sample of matches, judged by hand (issue 26).

``python benchmarks/themes_precision.py sample LANG`` prints LANG's 200 sampled matches (row of the
set, theme, the terms that matched, the text around them) to read; the verdicts (row, theme, 1 =
the text is about the theme, 0 = it is not) go to benchmarks/results/themes_judgments.csv, which
holds no text (the sets' licences do not allow copying it). ``python benchmarks/themes_precision.py
score`` writes the precision per language and theme into benchmarks/results/themes.json.

Sets and template: en Amazon Alexa, da Trustpilot (ProShop, Zalando), nb NoReC sentences (train),
sv Trustpilot (many companies), all tagged with the retail template (the sets are shop and
product reviews).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import cxkit as cx
from cxkit.analysis.themes import _template_tags

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes import labelled_sets

RESULTS = Path(__file__).resolve().parent / "results"
JUDGMENTS = RESULTS / "themes_judgments.csv"
PER_LANGUAGE = 200
TEMPLATE = "retail"


def sample(language: str, seed: int = 27) -> pd.DataFrame:
    """LANG's seeded sample of (row, theme) matches: distinct texts, PER_LANGUAGE pairs."""
    data = labelled_sets()
    data = data[data["language"] == language].drop_duplicates("text")
    themes = cx.theme_set({"template": TEMPLATE})
    tags = cx.tag_themes(data["text"], themes=themes, language=data["language"])
    pairs = tags.stack()
    pairs = pairs[pairs].reset_index().iloc[:, :2]
    pairs.columns = ["row", "theme"]
    picked = pairs.sample(min(PER_LANGUAGE, len(pairs)), random_state=seed).sort_values(["theme", "row"])
    return picked.assign(text=data.loc[picked["row"], "text"].to_numpy(), n_matches=len(pairs), n_texts=len(data))


def matched_terms(text: str, language: str, theme: str, terms: dict[str, list[str]]) -> list[str]:
    out = []
    for lang in {language, "en"}:
        for term in terms.get(lang, []):
            hit = _template_tags([text], [language], {theme: {lang: [term.lstrip("~")]}})[theme][0]
            if hit:
                out.append(term)
    return out


def show(language: str) -> None:
    themes = cx.theme_set({"template": TEMPLATE})
    for _, r in sample(language).iterrows():
        terms = matched_terms(r["text"], language, r["theme"], themes.themes[r["theme"]])
        text = " ".join(str(r["text"]).split())
        # the text around each matched term (its first 4 letters: a stem match may be inflected)
        spots = sorted({text.lower().find(t.strip("~*")[:4]) for t in terms} - {-1})[:2]
        shown = " … ".join(text[max(0, s - 60) : s + 70] for s in spots) if spots else text[:240]
        print(f"{r['row']}\t{r['theme']}\t{','.join(terms)}\t{shown}")


def score() -> None:
    judged = pd.read_csv(JUDGMENTS)
    rows = []
    for (language, theme), part in judged.groupby(["language", "theme"]):
        rows.append({"language": language, "theme": theme, "n": len(part), "correct": int(part["verdict"].sum())})
    per_language = judged.groupby("language")["verdict"].agg(["size", "sum"])
    out = {
        "template": TEMPLATE,
        "how": (
            "Seeded sample (seed 26) of 200 (text, theme) matches per language from the distinct texts of each set; "
            "each read by the helper session that built the templates (helper-26, issue 26) with the terms that "
            "matched shown; counted correct when the text is about the theme (a mention in passing counts; a word "
            "used in another sense, e.g. 'staff' of the reviewer's own business, does not). One reader, not blind "
            "to the template: an optimistic estimate."
        ),
        "per_language": {
            str(lang): {
                "n": int(r["size"]),
                "correct": int(r["sum"]),
                "precision": float(r["sum"] / r["size"]),
                # Wilson 95% interval of the precision
                "ci": [float(v) for v in np.asarray(cx.analysis.themes.wilson_interval(r["sum"], r["size"])).ravel()],
            }
            for lang, r in per_language.iterrows()
        },
        "per_theme": rows,
        "command": "python benchmarks/themes_precision.py score",
    }
    path = RESULTS / "themes.json"
    doc = json.loads(path.read_text()) if path.exists() else {}
    doc["precision"] = out
    path.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(out["per_language"], indent=2))


def record(language: str, verdicts: str) -> None:
    """Append LANG's verdicts (one 0/1 per sampled pair, in the order ``sample`` prints them)."""
    picked = sample(language)
    marks = [c for c in verdicts if c in "01"]
    if len(marks) != len(picked):
        raise SystemExit(f"{len(marks)} verdicts for {len(picked)} matches")
    new = not JUDGMENTS.exists()
    with JUDGMENTS.open("a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["language", "row", "theme", "verdict"])
        for (_, r), mark in zip(picked.iterrows(), marks):
            w.writerow([language, r["row"], r["theme"], mark])


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "sample":
        show(sys.argv[2])
    elif command == "record":
        record(sys.argv[2], sys.argv[3])
    else:
        score()
