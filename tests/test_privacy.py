"""PII masking: e-mails, phone numbers, Nordic personal id numbers, IBANs and card numbers,
never order numbers, dates, times or amounts; the one masking path of every output (issue 24)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cxkit.privacy import is_pii_column, mask_frame, mask_pii


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail ola.nordmann@example.no now", "mail [email] now"),
        ("First.Last+tag@sub.example.co.uk", "[email]"),
        ("ring +47 912 34 567", "ring [phone]"),
        ("call 0045 12 34 56 78!", "call [phone]!"),
        ("tel. (555) 123-4567", "tel. [phone]"),
        ("070-123 45 67 (mobil)", "[phone] (mobil)"),
        ("22334455", "[phone]"),
        ("+46 70 123 45 67", "[phone]"),
        ("ring 555-123-4567 nu", "ring [phone] nu"),
        ("22.33.44.55", "[phone]"),
    ],
)
def test_masks_emails_and_phones(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ordered 2026-03-14, delivered 14.03.2026",
        "paid 1 234,50 kr",
        "NPS 9/10",
        "order 1234567",
        "2026-03-14T09:31:00",
        "version 3.11.7",
        "R0000001",
        "NPS fell in 2026-08 (-13.4 points)",
        "from 21.9 to 8.5 (2026-08)",
        "12.5 (95% CI 9.1-15.9)",
        "n = 1 986 in 2026",
        "revenue 12 345 678 kr",
        "2026-08-01 12:30",
        "between 2025-11 and 2026-10",
    ],
)
def test_leaves_dates_amounts_and_short_numbers(text):
    assert mask_pii(text) == text


def test_non_strings_pass_through():
    assert mask_pii(None) is None and mask_pii(5) == 5 and mask_pii(pd.NA) is pd.NA


def test_pii_columns_and_frames():
    assert is_pii_column("email") and is_pii_column("Email Address") and is_pii_column("IPAddress")
    assert is_pii_column("RecipientFirstName") and is_pii_column("phone_number") and is_pii_column("Surname")
    assert not is_pii_column("segment") and not is_pii_column("customer_id") and not is_pii_column("variation")
    df = pd.DataFrame({"name": ["Ola", None], "comment": ["x@example.com", "fine"], "reason": ["a@b.cc", "y"]})
    out = mask_frame(df, keep=("reason",))
    assert out["name"].tolist()[0] == "[redacted]" and pd.isna(out["name"][1])
    assert out["comment"].tolist() == ["[email]", "fine"] and out["reason"][0] == "a@b.cc"
    assert df["name"][0] == "Ola"  # the input is not mutated


@pytest.mark.parametrize(
    "text, expected",
    [
        # Issue 15: a Nordic Excel timestamp in a rejection message was masked as "[phone]:05".
        ("responded_at: '31-10-2026 14:05' is not a date", "responded_at: '31-10-2026 14:05' is not a date"),
        ("31.10.2026 14.05", "31.10.2026 14.05"),
        ("14:05 31-10-2026", "14:05 31-10-2026"),
        ("31/10/2026 14:05:59", "31/10/2026 14:05:59"),
        ("kl. 14.05 den 31.10.2026", "kl. 14.05 den 31.10.2026"),
        # ... while a phone number beside a date or a time is still masked
        ("01-10-2026 09:30 ring 22 33 44 55", "01-10-2026 09:30 ring [phone]"),
        ("01-10-2026 09:30 22 33 44 55", "01-10-2026 09:30 [phone]"),
        ("ring 22 33 44 55 kl 14:05", "ring [phone] kl 14:05"),
        ("tlf:22334455", "tlf:[phone]"),
    ],
)
def test_times_beside_dates_are_not_phone_numbers(text, expected):
    assert mask_pii(text) == expected


# --------------------------------------------------------------------------- issue 24: the Nordic identifiers

#: Every identifier form of issue 24 and the placeholder it becomes, each inside a sentence.
IDENTIFIERS = [
    # Danish CPR: DDMMYY-XXXX on the date alone (no modulus 11 since 2007)
    ("cpr 150483-4006.", "cpr [personal-id]."),
    ("born 010118-1234", "born [personal-id]"),  # fails modulus 11: issued after 2007, still masked
    ("CPR-nr: 0101901234", "CPR-nr: [personal-id]"),  # ten plain digits after "CPR"
    ("nps: 101234568 outside 0–10", "nps: [personal-id] outside 0–10"),  # CPR 0101234568 read as a number
    ("score 1019012138", "score [personal-id]"),  # fødselsnummer 01019012138 read as a number
    # Swedish personnummer: every form, the whole number (no last four digits left)
    ("pnr 900101-1239", "pnr [personal-id]"),
    ("19900101-1239 skrev", "[personal-id] skrev"),
    ("900101+1239", "[personal-id]"),
    ("9001011239", "[personal-id]"),
    ("199001011239", "[personal-id]"),
    ("samordningsnummer 900161-1236", "samordningsnummer [personal-id]"),
    # Norwegian fødselsnummer and D-number (the second: day + 40)
    ("fnr 01019012138", "fnr [personal-id]"),
    ("D-nummer 41019012121.", "D-nummer [personal-id]."),
    ("010190 12138", "[personal-id]"),
    # Finnish henkilötunnus
    ("hetu 131052-308T", "hetu [personal-id]"),
    # IBAN, every country's length, with and without the spaces
    ("IBAN DK50 0040 0440 1162 43.", "IBAN [iban]."),
    ("SE45 5000 0000 0583 9825 7466", "[iban]"),
    ("konto NO93 8601 1117 947", "konto [iban]"),
    ("NO9386011117947", "[iban]"),
    ("GB29 NWBK 6016 1331 9268 19", "[iban]"),
    ("pay to DE89370400440532013000 now", "pay to [iban] now"),
    ("FR14 2004 1010 0505 0001 3M02 606", "[iban]"),
    ("MT84 MALT 0110 0001 2345 MTLC AST0 01S", "[iban]"),
    ("BR97 0036 0305 0000 1000 9795 493P 1", "[iban]"),
    # payment cards, Luhn
    ("kort 4111 1111 1111 1111", "kort [card]"),
    ("4111-1111-1111-1111", "[card]"),
    ("4111111111111111", "[card]"),
    ("amex 3782 822463 10005", "amex [card]"),
    ("5555 5555 5555 4444, exp 12/27", "[card], exp 12/27"),
    ("4111 1111 1111 1111 12 kr", "[card] 12 kr"),
    # e-mail with Unicode letters
    ("skriv til jörg.müller@exämple.de!", "skriv til [email]!"),
    ("kontakt.name@example.com", "[email]"),
    ("åsa.öberg@företag.se", "[email]"),
    # phones: +45/+46/+47, 0045..., national forms
    ("ring +46 8-123 456 78", "ring [phone]"),
    ("+45 12 34 56 78", "[phone]"),
    ("+47 912 34 567", "[phone]"),
    ("0046 70 123 45 67", "[phone]"),
    ("+4512345678", "[phone]"),
    ("+46 (0)8 123 456 78", "[phone]"),
    ("08-123 456 78", "[phone]"),
    ("912 34 567", "[phone]"),
    ("0701234567", "[phone]"),
    ("tlf 22334455", "tlf [phone]"),
]


@pytest.mark.parametrize("text, expected", IDENTIFIERS)
def test_every_identifier_form_is_masked_by_kind(text, expected):
    assert mask_pii(text) == expected


#: Look-alikes that must stay as they are.
LOOK_ALIKES = [
    "order 1234567890",
    "ordrenummer: 22334455",
    "Ordre nr. 40112233 er sendt",
    "faktura 40112233",
    "invoice no. 5512345678",
    "id 22334455",
    "#100234556",
    "order 101234568",  # nine digits that would be a CPR with its leading zero put back
    "#101234568",
    "bestillingsnummer 87654321",
    "1234567890",
    "12345678901",
    "99999999999",
    "1 234 567,50 kr",
    "12 345 678 kr",
    "€1.234.567,50",
    "2026-10-31 14:05",
    "31.10.2026 kl. 14.05",
    "14:05:59",
    "20.10.2026-31.10.2026",
    "2026-03-14T09:31:00",
    "version 3.11.7",
    "R0000001",
    "/exports/20261031.csv",
    "NPS 9/10, CSAT 4.5",
    "n = 1 986 in 2026",
    # checksums fail: not masked as that kind (nor as anything else)
    "900101-1238",  # Luhn fails, and 90 is no day of a CPR
    "19900101-1238",
    "01019012139",  # fødselsnummer, second check digit wrong
    "DK50 0040 0440 1162 44",  # mod 97 fails
    "SE45 5000 0000 0583 9825 7467",
    "4111 1111 1111 1112",  # Luhn fails
    "9111111111111111",  # Luhn holds, but no card starts with 9
    "320183-4006",  # 32 January: not a date
    "kontakt.name@",
    "@handle",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_left_alone(text):
    assert mask_pii(text) == text


def test_every_identifier_passes_the_prefilter():
    """The vectorised pre-filter must find every identifier, or mask_frame would skip its cell."""
    from cxkit.privacy import _PREFILTER

    for text, _ in IDENTIFIERS:
        assert _PREFILTER.search(text), text


def test_masking_is_idempotent_and_placeholders_hold_no_digits():
    from cxkit.privacy import PLACEHOLDERS

    for _, expected in IDENTIFIERS:
        assert mask_pii(expected) == expected
    assert not any(ch.isdigit() or ch == "@" for p in PLACEHOLDERS.values() for ch in p)


# --------------------------------------------------------------------------- independent references

# Written from the published rules, differently from cxkit.privacy (string digit sums, check
# digits computed rather than verified), so that a shared mistake is unlikely.


def _ref_luhn_valid(number: str) -> bool:
    total = 0
    for position, ch in enumerate(number[::-1], start=1):
        product = int(ch) * (2 if position % 2 == 0 else 1)
        total += sum(int(c) for c in str(product))
    return total % 10 == 0


def _ref_luhn_complete(payload: str) -> str:
    return next(payload + str(d) for d in range(10) if _ref_luhn_valid(payload + str(d)))


def _ref_fodselsnummer(day: int, month: int, year: int, individual: int) -> str | None:
    """Skatteetaten's rule: k1 = 11 - (3,7,6,1,8,9,4,5,2 . digits) mod 11, then k2 over k1 too."""
    nine = f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}"
    k = []
    for weights in ([3, 7, 6, 1, 8, 9, 4, 5, 2], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]):
        digits = [int(c) for c in nine + "".join(map(str, k))]
        rest = 11 - sum(w * d for w, d in zip(weights, digits)) % 11
        if rest == 10:
            return None
        k.append(0 if rest == 11 else rest)
    return nine + "".join(map(str, k))


def _ref_iban(country: str, bban: str) -> str:
    """Check digits = 98 - (BBAN + country + "00", letters as 10..35) mod 97 (ISO 7064)."""
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def _random_date(rng, first: int, last: int):
    import datetime as dt

    start = dt.date(first, 1, 1).toordinal()
    return dt.date.fromordinal(int(rng.integers(start, dt.date(last, 12, 31).toordinal() + 1)))


def test_every_generated_personnummer_is_masked():
    import numpy as np

    rng = np.random.default_rng(24)
    for _ in range(400):
        born = _random_date(rng, 1900, 2025)
        day = born.day + (60 if rng.random() < 0.3 else 0)  # samordningsnummer
        nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{int(rng.integers(0, 1000)):03d}"
        ten = _ref_luhn_complete(nine)
        century = f"{born.year // 100}"
        for form in (f"{ten[:6]}-{ten[6:]}", ten, f"{century}{ten[:6]}-{ten[6:]}", century + ten):
            assert mask_pii(f"mitt nummer {form}, tack") == "mitt nummer [personal-id], tack", form
        if born.year < 1926:
            assert mask_pii(f"{ten[:6]}+{ten[6:]}") == "[personal-id]"


def test_every_generated_fodselsnummer_and_d_number_is_masked():
    import numpy as np

    rng = np.random.default_rng(47)
    masked = 0
    for _ in range(600):
        born = _random_date(rng, 1900, 2039)
        individual = int(rng.integers(0, 500)) if born.year < 2000 else int(rng.integers(500, 1000))
        d_number = rng.random() < 0.3
        number = _ref_fodselsnummer(born.day + 40 * d_number, born.month, born.year, individual)
        if number is None:  # no valid check digit for this individual number
            continue
        masked += 1
        assert mask_pii(f"fnr {number} ok") == "fnr [personal-id] ok", number
        assert mask_pii(f"{number[:6]} {number[6:]}") == "[personal-id]", number
    assert masked > 400


def test_every_generated_cpr_is_masked():
    import numpy as np

    rng = np.random.default_rng(45)
    for _ in range(400):
        born = _random_date(rng, 1900, 2036)
        # the seventh digit gives the century (CPR-kontoret): 0-3 for 1900-1999, 4 or 9 for 2000-2036
        seventh = int(rng.integers(0, 4)) if born.year < 2000 else int(rng.choice([4, 9]))
        number = f"{born.day:02d}{born.month:02d}{born.year % 100:02d}-{seventh}{int(rng.integers(0, 1000)):03d}"
        assert mask_pii(f"CPR {number}") == "CPR [personal-id]", number
        assert mask_pii(number) == "[personal-id]", number


def test_every_generated_iban_is_masked():
    import numpy as np

    from cxkit.privacy import IBAN_LENGTHS

    rng = np.random.default_rng(13616)
    # Published lengths (SWIFT IBAN registry) of a few countries, typed in here independently.
    assert {c: IBAN_LENGTHS[c] for c in ("DK", "SE", "NO", "FI", "IS", "DE", "GB", "FR", "NL", "MT", "RU", "LC")} == {
        "DK": 18, "SE": 24, "NO": 15, "FI": 18, "IS": 26, "DE": 22, "GB": 22,
        "FR": 27, "NL": 18, "MT": 31, "RU": 33, "LC": 32,
    }  # fmt: skip
    assert len(IBAN_LENGTHS) == 89
    for country, length in IBAN_LENGTHS.items():
        for _ in range(5):
            letters = "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 4))
            digits = "".join(map(str, rng.integers(0, 10, length)))
            bban = (letters + digits)[: length - 4] if rng.random() < 0.5 else digits[: length - 4]
            iban = _ref_iban(country, bban)
            grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
            assert mask_pii(f"IBAN {iban}.") == "IBAN [iban].", iban
            assert mask_pii(f"konto: {grouped} tak") == "konto: [iban] tak", grouped
            wrong = iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
            assert "[iban]" not in str(mask_pii(wrong)), wrong


def test_every_generated_card_is_masked():
    import numpy as np

    rng = np.random.default_rng(7812)
    for prefix, length in [
        ("4", 16),
        ("4", 13),
        ("51", 16),
        ("2221", 16),
        ("34", 15),
        ("37", 15),
        ("6011", 16),
        ("35", 19),
    ]:
        for _ in range(50):
            payload = prefix + "".join(map(str, rng.integers(0, 10, length - len(prefix) - 1)))
            card = _ref_luhn_complete(payload)
            if length == 16:
                shown = " ".join(card[i : i + 4] for i in range(0, 16, 4))
            elif length == 15:
                shown = f"{card[:4]}-{card[4:10]}-{card[10:]}"
            else:
                shown = card
            assert mask_pii(f"card {shown}, thanks") == "card [card], thanks", shown


def test_ordinary_numbers_are_masked_exactly_when_a_scheme_validates_them():
    """Random 9-, 10-, 11- and 16-digit numbers: masked if and only if the reference says they are a
    personnummer or a CPR passing modulus 11 (10 digits), a fødselsnummer (11), one of these that
    lost its leading zero (9 and 10 digits), or a card (16)."""
    import datetime as dt

    import numpy as np

    def date_ok(y, m, d):
        try:
            dt.date(y, m, d)
            return True
        except ValueError:
            return False

    def ref_ten(n: str) -> bool:
        yy, mm, dd = int(n[:2]), int(n[2:4]), int(n[4:6])
        sweden = any(date_ok(c + yy, mm, dd - 60 if dd > 60 else dd) for c in (1900, 2000)) and _ref_luhn_valid(n)
        seventh = int(n[6])
        century = (
            1900
            if seventh < 4 or (seventh in (4, 9) and yy > 36)
            else 2000
            if yy <= (36 if seventh in (4, 9) else 57)
            else 1800
        )
        cpr_mod11 = sum(int(a) * b for a, b in zip(n, [4, 3, 2, 7, 6, 5, 4, 3, 2, 1])) % 11 == 0
        denmark = date_ok(century + int(n[4:6]), int(n[2:4]), int(n[:2])) and cpr_mod11
        return sweden or denmark

    def lost_zero(n: str) -> bool:  # a number that lost its leading zero when read as a number
        if len(n) == 10:
            return ref_eleven("0" + n)
        ten = "0" + n  # a CPR of someone born on the 1st-9th, modulus 11
        century = 1900 if int(ten[6]) < 4 or (int(ten[6]) in (4, 9) and int(ten[4:6]) > 36) else 2000
        cpr_mod11 = sum(int(a) * b for a, b in zip(ten, [4, 3, 2, 7, 6, 5, 4, 3, 2, 1])) % 11 == 0
        if int(ten[6]) in (5, 6, 7, 8):
            century = 2000 if int(ten[4:6]) <= 57 else 1800
        return date_ok(century + int(ten[4:6]), int(ten[2:4]), int(ten[:2])) and cpr_mod11

    def ref_eleven(n: str) -> bool:
        day, month, yy = int(n[:2]), int(n[2:4]), int(n[4:6])
        day, month = day - 40 * (day > 40), month - 40 * (month > 40)
        if not any(date_ok(c + yy, month, day) for c in (1800, 1900, 2000)):
            return False
        return _ref_fodselsnummer(int(n[:2]), int(n[2:4]), yy, int(n[6:9])) == n

    rng = np.random.default_rng(2024)
    seen = {"9": 0, "10": 0, "11": 0, "16": 0}
    for _ in range(20_000):
        nine = str(int(rng.integers(100_000_000, 1_000_000_000)))
        ten = str(int(rng.integers(1_000_000_000, 10_000_000_000)))
        eleven = f"{int(rng.integers(1, 32)):02d}{int(rng.integers(0, 53)):02d}" + "".join(
            map(str, rng.integers(0, 10, 7))
        )
        sixteen = str(int(rng.integers(10**15, 10**16)))
        for n, ref in ((nine, lost_zero), (ten, lambda n: ref_ten(n) or lost_zero(n)), (eleven, ref_eleven)):
            placeholder = "[personal-id]"
            expected = f"nr {placeholder} x" if ref(n) else f"nr {n} x"
            assert mask_pii(f"nr {n} x") == expected, n
            seen[str(len(n))] += ref(n)
        card = _ref_luhn_valid(sixteen) and sixteen[0] in "23456"
        assert mask_pii(f"nr {sixteen} x") == ("nr [card] x" if card else f"nr {sixteen} x"), sixteen
        seen["16"] += card
    # Each branch was exercised; the share of ordinary numbers masked is what the schemes allow
    # (README.md, "Privacy: what is masked"): 9 digits about 1.1%, 10 about 1.2%, 11 about 0.4%,
    # 16 about 5% (every tenth passes Luhn, half start with 2-6).
    assert all(count > 0 for count in seen.values()), seen
    assert seen["9"] < 0.015 * 20_000 and seen["10"] < 0.015 * 20_000 and seen["11"] < 0.006 * 20_000, seen


# --------------------------------------------------------------------------- the one masking path


def test_mask_frame_equals_masking_every_cell_and_masks_headers():
    import numpy as np

    rng = np.random.default_rng(3)
    texts = [t for t, _ in IDENTIFIERS] + LOOK_ALIKES + ["fine", "", "great service"]
    cells = [texts[i] for i in rng.integers(0, len(texts), 3000)]
    for dtype in (object, "string[pyarrow]", "str"):
        df = pd.DataFrame({"comment": pd.Series(cells, dtype=dtype), "n": np.arange(3000)})
        df.loc[5, "comment"] = None
        out = mask_frame(df)
        expected = [mask_pii(c) for c in df["comment"].tolist()]
        assert [None if pd.isna(v) else v for v in out["comment"].tolist()] == [
            None if pd.isna(v) else v for v in expected
        ]
        assert out["n"].tolist() == list(range(3000)) and df["comment"].tolist()[0] == cells[0]
    mixed = pd.DataFrame({"mixed": [1, "ring 22 33 44 55", None, 2.5], "kontakt ola@example.no": ["x"] * 4})
    out = mask_frame(mixed)
    assert out["mixed"].tolist()[:2] == [1, "ring [phone]"] and list(out.columns) == ["mixed", "kontakt [email]"]


def test_errors_warnings_and_log_lines_are_masked(tmp_path, caplog):
    import logging
    import warnings

    import cxkit as cx
    from cxkit.errors import CxkitError, DataWarning, SchemaError
    from cxkit.privacy import mask_log_record

    err = SchemaError("column 'kontakt 900101-1239' has jörg.müller@exämple.de")
    assert str(err) == "column 'kontakt [personal-id]' has [email]" and isinstance(err, ValueError)
    with pytest.warns(DataWarning, match=r"\[iban\]"):
        warnings.warn(DataWarning("IBAN DK50 0040 0440 1162 43 left out"), stacklevel=1)
    # A reader's error quotes the columns it found: a header holding personal data is masked.
    path = tmp_path / "feedback.csv"
    path.write_text("response_id,responded_at,score,kontakt +47 912 34 567\n1,2026-10-01,9,x\n", encoding="utf-8")
    with pytest.raises(CxkitError) as raised:
        cx.load_feedback(path, columns={"nps": "NPS"})
    assert "912 34 567" not in str(raised.value) and "[phone]" in str(raised.value)

    logger = logging.getLogger("cxkit.test_privacy")
    handler = logging.FileHandler(tmp_path / "run.log", encoding="utf-8")
    handler.addFilter(mask_log_record)
    logger.addHandler(handler)
    try:
        logger.warning("source %s: %d rows quote %s", "reviews", 3, "4111 1111 1111 1111")
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert (tmp_path / "run.log").read_text(encoding="utf-8") == "source reviews: 3 rows quote [card]\n"


def test_text_is_masked_before_it_is_cut():
    """Issue 24: a review cut at 220 characters before masking showed ``kontakt.name@exa…``."""
    from cxkit.display import safe_text, table
    from cxkit.plots import label

    text = "x" * 200 + " mail kontakt.name@example.com or ring +45 12 34 56 78"
    assert safe_text(text, max_chars=240).endswith(" mail [email] or ring [phone]")
    assert safe_text(text, max_chars=220).endswith(" mail [email] or ri…")
    assert "kontakt" not in label("segment kontakt.name@example.com", max_chars=20)
    shown = table(pd.DataFrame({"segment": ["SMB " + "y" * 40 + " 900101-1239"], "n": [3]}))
    assert "[personal-id]" in shown.html and "1239" not in shown.html and "1239" not in shown.text


# --------------------------------------------------------------------------- audit: every file a pack writes

#: One identifier of each kind (the issue's examples), planted across the sample.
PLANTED = {
    "cpr": "150483-4006",
    "personnummer": "900101-1239",
    "personnummer_century": "19900101-1239",
    "personnummer_plus": "900101+1239",
    "fodselsnummer": "01019012138",
    "iban_dk": "DK50 0040 0440 1162 43",
    "iban_se": "SE45 5000 0000 0583 9825 7466",
    "iban_no": "NO93 8601 1117 947",
    "card": "4111 1111 1111 1111",
    "email": "jörg.müller@exämple.de",
    "email_cut": "kontakt.name@example.com",
    "phone_se": "+46 8-123 456 78",
    "phone_dk": "+45 12 34 56 78",
    "phone_no": "+47 912 34 567",
}


def _traces(raw: str) -> list[str]:
    """What of ``raw`` must not appear: itself, its digits without separators, an e-mail's parts."""
    if "@" in raw:
        local, domain = raw.split("@")
        return [raw, local, domain, local[:8] + "@"]
    digits = "".join(ch for ch in raw if ch.isalnum())
    return [raw, digits, raw[-9:]]


def write_planted_sample(folder: Path) -> Path:
    """A small copy of the sample with every identifier of :data:`PLANTED` in review texts and
    titles, comments, segment, touchpoint, channel and source names, a driver's and an extra
    column's name, and rejected cells; returns the catalog's path."""
    import yaml

    from cxkit.data.sample import generate

    folder.mkdir(parents=True, exist_ok=True)
    data = generate(seed=7, scale=0.15)
    ids = PLANTED
    segments = {
        "Consumer": f"Consumer {ids['personnummer']}",
        "SMB": f"SMB {ids['phone_dk']}",
        "Enterprise": f"Enterprise {ids['email']}",
    }
    fb = data["feedback"].copy()
    touchpoints = sorted(fb["touchpoint"].unique())
    tp_map = {touchpoints[0]: f"{touchpoints[0]} {ids['iban_dk']}", touchpoints[1]: f"{touchpoints[1]} {ids['card']}"}
    fb["segment"] = fb["segment"].map(lambda s: segments.get(s, s))
    fb["touchpoint"] = fb["touchpoint"].map(lambda t: tp_map.get(t, t))
    channel = sorted(fb["channel"].unique())[0]
    fb["channel"] = fb["channel"].replace({channel: f"{channel} {ids['phone_no']}"})
    fb.loc[fb.index[: len(ids)], "comment"] = [f"Kontakt: {v}" for v in ids.values()]
    fb = fb.rename(columns={"billing": f"billing {ids['iban_se']}"})
    fb[f"kontakt {ids['personnummer_century']}"] = "x"
    # Rejected rows quote the value they were rejected for: one identifier per row, in a score.
    fb["nps"] = fb["nps"].astype(object)
    fb.loc[fb.index[-len(ids) :], "nps"] = list(ids.values())
    fb.to_csv(folder / "feedback.csv", index=False)

    rv = data["reviews"].copy()
    rv.loc[rv.index[: len(ids)], "title"] = list(ids.values())
    source = sorted(rv["source"].unique())[0]
    rv["source"] = rv["source"].replace({source: f"{source} {ids['cpr']}"})
    month = rv.index[rv["published_at"].astype(str).str.startswith("2026-10")][:3]
    # The month's most negative reviews are shown as examples, cut at 220 characters: the first
    # e-mail address straddles the cut (issue 24 saw "kontakt.name@exa…").
    opening = "Terrible, awful, useless, worst ever!!! "
    rv.loc[month, "text"] = [
        opening + "x" * (205 - len(opening)) + f" mail {ids['email_cut']} now",
        f"{opening}ring {ids['phone_se']} or {ids['personnummer_plus']}, pay {ids['iban_no']}",
        f"{opening}fnr {ids['fodselsnummer']}, card {ids['card']}, {ids['email']}",
    ]
    rv.loc[month, "rating"] = 1
    rv.loc[month, "language"] = "en"
    rv.to_csv(folder / "reviews.csv", index=False)

    cu = data["customers"].copy()
    cu["segment"] = cu["segment"].map(lambda s: segments.get(s, s))
    cu.to_csv(folder / "customers.csv", index=False)
    jo = data["journey"].copy()
    jo["touchpoint"] = jo["touchpoint"].map(lambda t: tp_map.get(t, t))
    if "segment" in jo:
        jo["segment"] = jo["segment"].map(lambda s: segments.get(s, s))
    jo.to_csv(folder / "journey.csv", index=False)

    drivers = ["support", "price", "product_quality", "delivery", "ease_of_use", f"billing {ids['iban_se']}"]
    catalog = {
        "version": 1,
        "defaults": {"max_rejected": 0.05},
        "sources": {
            "feedback": {"table": "feedback", "path": "feedback.csv", "drivers": drivers, "driver_range": [1, 10]},
            "reviews": {"table": "reviews", "path": "reviews.csv"},
            "customers": {"table": "customers", "path": "customers.csv"},
            "journey": {"table": "journey", "path": "journey.csv"},
        },
    }
    path = folder / "cxkit.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _leaks(text: str) -> list[str]:
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    return [f"{kind}: {trace!r}" for kind, raw in PLANTED.items() for trace in _traces(raw) if trace in text]


@pytest.mark.slow
def test_no_identifier_reaches_any_file_the_pack_or_validate_writes(tmp_path, capfd):
    """The masking table of README.md ("Privacy: what is masked"), checked: every identifier
    kind, planted in review texts, comments, segment and other names, column names and rejected
    cells, is absent from every page (HTML with its alt texts), results.json, manifest.json, the
    run log, stdout/stderr, the rejected-row files and data_quality.csv of ``cxkit validate``,
    and the error message of a source that cannot be read."""
    import cxkit as cx
    from cxkit.errors import CxkitError
    from cxkit.pack.cli import main
    from cxkit.pack.runner import build_pack

    catalog = write_planted_sample(tmp_path / "data")
    pack = build_pack("2026-10", catalog=catalog, out=tmp_path / "reports", quiet=False)
    assert main(["validate", "--catalog", str(catalog), "--out", str(tmp_path / "quality")]) == 0
    with pytest.raises(CxkitError) as raised:
        cx.load_feedback(tmp_path / "data" / "feedback.csv", columns={"nps": "NPS score"})
    streams = capfd.readouterr()

    written = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".log", ".csv"))
    outputs = [p for p in written if "data" not in p.relative_to(tmp_path).parts[:1]]
    kinds = {p.suffix for p in outputs}
    assert {".html", ".json", ".log", ".csv"} <= kinds, kinds
    assert (pack / "manifest.json") in outputs and any(p.name.endswith(".rejected.csv") for p in outputs)
    found = {str(p.relative_to(tmp_path)): _leaks(p.read_text(encoding="utf-8")) for p in outputs}
    found["stdout"], found["stderr"] = _leaks(streams.out), _leaks(streams.err)
    found["error message"] = _leaks(str(raised.value))
    assert {where: leaks for where, leaks in found.items() if leaks} == {}

    # ... and the identifiers did reach the outputs, as placeholders.
    review = (pack / "review_sentiment.html").read_text(encoding="utf-8")
    assert "mail [email]…" in review and "ring [phone] or [personal-id], pay [iban]" in review
    results = json.loads((pack / "results.json").read_text(encoding="utf-8"))
    assert any("[iban]" in d["driver"] for d in results["drivers"]), results["drivers"]
    rejected = (tmp_path / "quality" / "feedback.rejected.csv").read_text(encoding="utf-8")
    assert rejected.count("[personal-id]") >= 4 and "kontakt [personal-id]" in rejected.splitlines()[0]
    pages = " ".join(p.read_text(encoding="utf-8") for p in pack.glob("*.html"))
    for placeholder in ("[email]", "[phone]", "[personal-id]", "[iban]", "[card]"):
        assert placeholder in pages, placeholder
    assert re.search(r'alt="[^"]*\[(phone|personal-id|email)\]', pages), "no alt text names a planted segment"


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_masking_table(kind, tmp_path):
    """docs/privacy.md's masking table, one row: the identifier is masked by each output's own
    path (the pack build above checks the same end to end)."""
    import logging

    import matplotlib.pyplot as plt

    from cxkit.display import figure, findings, table
    from cxkit.errors import CxkitError
    from cxkit.privacy import mask_log_record, mask_nested

    raw = PLANTED[kind]
    sentence = f"Segment {raw} has the lowest NPS"
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    image = figure(fig, alt=sentence)
    handler = logging.FileHandler(tmp_path / "run.log", encoding="utf-8")
    handler.addFilter(mask_log_record)
    logger = logging.getLogger(f"cxkit.test_privacy.{kind}")
    logger.addHandler(handler)
    logger.warning("notebook failed: %s", sentence)
    logger.removeHandler(handler)
    handler.close()
    mask_frame(pd.DataFrame({"comment": [sentence], f"col {raw}": [1]})).to_csv(tmp_path / "rejected.csv")
    outputs = {
        "page (table)": table(pd.DataFrame({"segment": [raw], "nps": [12.5]})).html,
        "page (findings)": findings([sentence]).html,
        "alt text": image.metadata["alt"],
        "results.json": json.dumps(mask_nested({"nps": {"by_segment": {raw: 12.5}, "note": sentence}})),
        "log": (tmp_path / "run.log").read_text(encoding="utf-8"),
        "message": str(CxkitError(f"{tmp_path}/feedback.csv: column {raw!r}: {sentence}")),
        "rejected-row file": (tmp_path / "rejected.csv").read_text(encoding="utf-8"),
    }
    leaks = {where: _leaks(text) for where, text in outputs.items() if _leaks(text)}
    assert leaks == {}
    assert all("[" in text for text in outputs.values())
