"""The pack as one PDF (issue 28): time, size and sheets for the sample pack, against a peer.

    .venv/bin/python benchmarks/pdf.py [--pack reports/2026-10] [--repeat 3]

Without ``--pack`` it first builds the Danish example pack (``data/examples/danish.yaml``: the
sample in Danish with its brand) into a temporary folder. It then prints that pack with
:func:`cxkit.pack.pdf.write_pdf` (all pages joined into one document, one Chromium run) and, in
the same run, alternating, with the *peer*: the obvious way without cxkit, one Chromium
``--print-to-pdf`` per page merged with pypdf (whose links between pages then point at the HTML
files, not inside the PDF). Medians of ``--repeat`` runs; ratio = cxkit / peer; the load
average is recorded. Results: ``benchmarks/results/pdf.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxkit import i18n  # noqa: E402
from cxkit.pack.pdf import CHROMIUM_FLAGS, chromium, pack_pages, write_pdf  # noqa: E402


def _peer(folder: Path, out: Path) -> None:
    """One Chromium run per page, then the PDFs merged."""
    import pypdf

    program = chromium()
    writer = pypdf.PdfWriter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, page in enumerate(pack_pages(folder)):
            printed = Path(tmp) / f"{i}.pdf"
            subprocess.run(
                [
                    program,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={tmp}/profile",
                    f"--print-to-pdf={printed}",
                    (folder / page).as_uri(),
                ],
                capture_output=True,
                check=True,
                timeout=300,
            )
            writer.append(str(printed))
        with out.open("wb") as handle:
            writer.write(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pack", type=Path, help="a built pack folder (reports/YYYY-MM); default: build the Danish example"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.pack
        if folder is None:
            from cxkit.pack.runner import build_pack

            folder = build_pack(
                catalog=ROOT / "data" / "examples" / "danish.yaml", out=Path(tmp) / "reports", quiet=True, pdf=False
            )
        language = json.loads((folder / "manifest.json").read_text()).get("parameters", {}).get("language", "en")
        ours, peer = [], []
        out = Path(tmp) / "ours.pdf"
        theirs = Path(tmp) / "peer.pdf"
        with i18n.process_language(language):
            for _ in range(args.repeat):
                t = time.perf_counter()
                write_pdf(folder, out)
                ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                _peer(folder, theirs)
                peer.append(time.perf_counter() - t)
        import pypdf

        reader = pypdf.PdfReader(out)
        internal = sum(
            1
            for p in reader.pages
            for a in (p.get("/Annots") or [])
            if a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object()
        )
        result = {
            "pack": str(folder),
            "language": language,
            "pages_html": len(pack_pages(folder)),
            "sheets": len(reader.pages),
            "bytes": out.stat().st_size,
            "internal_links": internal,
            "cxkit_seconds": round(statistics.median(ours), 2),
            "peer_seconds": round(statistics.median(peer), 2),
            "ratio": round(statistics.median(ours) / statistics.median(peer), 3),
            "peer_sheets": len(pypdf.PdfReader(theirs).pages),
            "repeat": args.repeat,
            "load_average": os.getloadavg(),
            "machine": platform.platform(),
            "cores": os.cpu_count(),
        }
    print(json.dumps(result, indent=2))
    path = ROOT / "benchmarks" / "results" / "pdf.json"
    path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
