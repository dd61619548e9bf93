"""PII masking: emails and phone numbers, never dates, amounts or ids."""

from __future__ import annotations

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
