"""Which identifiers cxkit's masking catches, next to Microsoft Presidio's pattern recognisers.

    .venv/bin/python benchmarks/privacy_presidio.py                        # needs a Presidio venv
    .venv/bin/python benchmarks/privacy_presidio.py --presidio-python /tmp/presidio/bin/python

Presidio is not a dependency of cxkit. Make a scratch venv for it first::

    python3 -m venv /tmp/presidio && /tmp/presidio/bin/pip install presidio-analyzer

Only its pattern recognisers are used (no spaCy model is downloaded): ``EmailRecognizer``,
``PhoneRecognizer`` (phonenumbers; once with its default regions, once with DK, SE, NO, FI),
``CreditCardRecognizer``, ``IbanRecognizer`` and the Nordic ones it has,
``SePersonnummerRecognizer`` and ``FiPersonalIdentityCodeRecognizer`` (none for Denmark or
Norway), each called as ``recognizer.analyze(text, entities=[...], nlp_artifacts=None)``. A case
counts as caught when any of them returns a result overlapping the identifier. Both run on the
same case list: the identifiers of issue 24 and the look-alikes that must be left alone.

The table is printed in Markdown (README.md, "Privacy: what is masked", holds it) and written
to ``benchmarks/results/privacy_presidio.json``. Without a Python that can import
``presidio_analyzer`` the script says so and exits 0 without writing anything.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "privacy_presidio.json"

#: (kind, text, the identifier in it or None for a look-alike that must be left alone)
CASES: list[tuple[str, str, str | None]] = [
    ("CPR (DK)", "cpr 150483-4006", "150483-4006"),
    ("CPR (DK), issued after 2007, no modulus 11", "born 010118-1234", "010118-1234"),
    ("CPR (DK), 10 digits after 'CPR'", "CPR-nr: 0101901234", "0101901234"),
    ("CPR (DK) read as a number (leading 0 lost)", "nps: 101234568 outside 0–10", "101234568"),
    ("personnummer (SE) YYMMDD-XXXX", "pnr 900101-1239", "900101-1239"),
    ("personnummer (SE) YYYYMMDD-XXXX", "19900101-1239 skrev", "19900101-1239"),
    ("personnummer (SE) YYMMDD+XXXX", "900101+1239", "900101+1239"),
    ("personnummer (SE) 10 digits", "9001011239", "9001011239"),
    ("personnummer (SE) 12 digits", "199001011239", "199001011239"),
    ("samordningsnummer (SE)", "samordningsnummer 900161-1236", "900161-1236"),
    ("fødselsnummer (NO)", "fnr 01019012138", "01019012138"),
    ("fødselsnummer (NO) spaced", "010190 12138", "010190 12138"),
    ("D-number (NO)", "D-nummer 41019012121", "41019012121"),
    ("henkilötunnus (FI)", "hetu 131052-308T", "131052-308T"),
    ("IBAN DK, groups of 4", "IBAN DK50 0040 0440 1162 43.", "DK50 0040 0440 1162 43"),
    ("IBAN SE", "SE45 5000 0000 0583 9825 7466", "SE45 5000 0000 0583 9825 7466"),
    ("IBAN NO", "konto NO93 8601 1117 947", "NO93 8601 1117 947"),
    ("IBAN NO, no spaces", "NO9386011117947", "NO9386011117947"),
    ("IBAN GB (letters in the BBAN)", "GB29 NWBK 6016 1331 9268 19", "GB29 NWBK 6016 1331 9268 19"),
    ("IBAN DE, no spaces", "pay to DE89370400440532013000 now", "DE89370400440532013000"),
    ("IBAN MT (31 characters)", "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"),
    ("card, groups of 4", "kort 4111 1111 1111 1111", "4111 1111 1111 1111"),
    ("card, dashes", "4111-1111-1111-1111", "4111-1111-1111-1111"),
    ("card, one run", "4111111111111111", "4111111111111111"),
    ("card, Amex 4-6-5", "amex 3782 822463 10005", "3782 822463 10005"),
    ("e-mail, Unicode letters", "skriv til jörg.müller@exämple.de!", "jörg.müller@exämple.de"),
    ("e-mail, ASCII", "kontakt.name@example.com", "kontakt.name@example.com"),
    ("phone +46 8-123 456 78", "ring +46 8-123 456 78", "+46 8-123 456 78"),
    ("phone +45 12 34 56 78", "+45 12 34 56 78", "+45 12 34 56 78"),
    ("phone +47 912 34 567", "+47 912 34 567", "+47 912 34 567"),
    ("phone 0046 70 123 45 67", "0046 70 123 45 67", "0046 70 123 45 67"),
    ("phone 08-123 456 78 (SE national)", "08-123 456 78", "08-123 456 78"),
    ("phone 912 34 567 (NO national)", "912 34 567", "912 34 567"),
    ("phone 0701234567 (SE national)", "0701234567", "0701234567"),
    ("phone 22334455 (DK/NO national)", "tlf 22334455", "22334455"),
    # look-alikes: must be left alone
    ("order number, 10 digits", "order 1234567890", None),
    ("order number, 8 digits", "ordrenummer: 22334455", None),
    ("invoice number", "faktura 40112233", None),
    ("order number with #", "#100234556", None),
    ("plain 10-digit id", "1234567890", None),
    ("plain 11-digit id", "12345678901", None),
    ("amount", "1 234 567,50 kr", None),
    ("amount, thousands", "12 345 678 kr", None),
    ("date and time", "2026-10-31 14:05", None),
    ("date (Nordic)", "31.10.2026 kl. 14.05", None),
    ("personnummer, Luhn fails", "900101-1238", None),
    ("fødselsnummer, check digit wrong", "01019012139", None),
    ("IBAN, mod 97 fails", "DK50 0040 0440 1162 44", None),
    ("card, Luhn fails", "4111 1111 1111 1112", None),
]

PRESIDIO_CHILD = r"""
import json, sys
from importlib.metadata import version as _v
version = _v("presidio-analyzer")
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer, EmailRecognizer, IbanRecognizer, PhoneRecognizer,
    SePersonnummerRecognizer, FiPersonalIdentityCodeRecognizer,
)
pattern = [
    (EmailRecognizer(), "EMAIL_ADDRESS"), (CreditCardRecognizer(), "CREDIT_CARD"), (IbanRecognizer(), "IBAN_CODE"),
    (SePersonnummerRecognizer(), "SE_PERSONNUMMER"), (FiPersonalIdentityCodeRecognizer(), "FI_PERSONAL_IDENTITY_CODE"),
]
phones = {"default": PhoneRecognizer(), "nordic": PhoneRecognizer(supported_regions=("DK", "SE", "NO", "FI"))}
out = []
for text, target in json.load(sys.stdin):
    start = text.find(target) if target else 0
    end = start + len(target) if target else len(text)
    row = {}
    for config, phone in phones.items():
        found = []
        for recognizer, entity in pattern + [(phone, "PHONE_NUMBER")]:
            for r in recognizer.analyze(text, entities=[entity], nlp_artifacts=None) or []:
                if r.start < end and r.end > start and r.score > 0:
                    found.append(f"{r.entity_type} {r.score:.2f}")
        row[config] = found
    out.append(row)
print(json.dumps({"version": version, "rows": out}))
"""


def cxkit_rows() -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from cxkit.privacy import mask_pii

    rows = []
    for kind, text, target in CASES:
        masked = str(mask_pii(text))
        caught = masked != text if target else False
        rows.append({"case": kind, "text": text, "identifier": target, "cxkit": masked, "cxkit_caught": caught})
    return rows


def presidio_rows(python: str) -> tuple[str, list[dict]] | None:
    try:
        out = subprocess.run(
            [python, "-c", PRESIDIO_CHILD],
            input=json.dumps([[text, target] for _, text, target in CASES]),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"privacy_presidio: skipped: cannot run {python} ({exc})", file=sys.stderr)
        return None
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"privacy_presidio: skipped: {python} cannot run Presidio's recognisers ({last})", file=sys.stderr)
        return None
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["version"], data["rows"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--presidio-python",
        default="/tmp/presidio/bin/python",
        help="a Python that can import presidio_analyzer (default: /tmp/presidio/bin/python)",
    )
    args = parser.parse_args()
    presidio = presidio_rows(args.presidio_python)
    if presidio is None:
        print(
            "privacy_presidio: skipped: presidio-analyzer is not importable. Make a scratch venv: "
            "python3 -m venv /tmp/presidio && /tmp/presidio/bin/pip install presidio-analyzer, then rerun "
            "(or pass --presidio-python).",
            file=sys.stderr,
        )
        return 0
    version, found = presidio
    rows = cxkit_rows()

    def mark(target: str | None, caught: bool, how: list[str] | None = None) -> str:
        found_as = f" ({', '.join(sorted({h.split()[0] for h in how}))})" if how else ""
        if target is None:
            return f"**masked**{found_as}" if caught else "left alone"
        return f"yes{found_as}" if caught else "**no**"

    print(
        f"| case | example | cxkit | Presidio {version} (default phone regions) | Presidio, phone regions DK/SE/NO/FI |"
    )
    print("|---|---|---|---|---|")
    for row, hits in zip(rows, found):
        row["presidio_default"], row["presidio_nordic"] = hits["default"], hits["nordic"]
        cells = [
            mark(row["identifier"], row["cxkit_caught"] or (row["identifier"] is None and row["cxkit"] != row["text"])),
            mark(row["identifier"], bool(hits["default"]), hits["default"]),
            mark(row["identifier"], bool(hits["nordic"]), hits["nordic"]),
        ]
        print(f"| {row['case']} | `{row['text']}` | " + " | ".join(cells) + " |")
    identifiers = [r for r in rows if r["identifier"]]
    alike = [r for r in rows if not r["identifier"]]
    summary = {
        "presidio_version": version,
        "identifiers": len(identifiers),
        "look_alikes": len(alike),
        "cxkit_caught": sum(r["cxkit_caught"] for r in identifiers),
        "cxkit_false_positives": sum(r["cxkit"] != r["text"] for r in alike),
        "presidio_default_caught": sum(bool(r["presidio_default"]) for r in identifiers),
        "presidio_default_false_positives": sum(bool(r["presidio_default"]) for r in alike),
        "presidio_nordic_caught": sum(bool(r["presidio_nordic"]) for r in identifiers),
        "presidio_nordic_false_positives": sum(bool(r["presidio_nordic"]) for r in alike),
    }
    print("\n" + json.dumps(summary))
    RESULTS.write_text(json.dumps({"summary": summary, "cases": rows}, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
