"""Synthetic customer-experience data with planted, documented ground truth.

The bundled sample in ``data/sample/`` is made here, from a seed. Every effect the analysis
modules are meant to find is planted on purpose and written down in ``truth.json`` (machine
readable) and ``TRUTH.md`` (for people), so their tests can check that they recover it:

* **feedback** (survey responses, ~2,000 a month): NPS is a linear function of eight
  correlated driver ratings with distinct weights (a known key-driver order); NPS drops by
  about 12 points in 2026-08; CSAT is lowest at the ``decision`` stage and at the ``billing``
  touchpoint; a few comments hold PII or HTML; a few rows are not data (NPS 11, dates that
  cannot be parsed, repeated ids).
* **reviews** (~1,000 a month, en/da/nb/sv): texts come from templates with a known
  sentiment and theme; star ratings follow the sentiment; negative ``delivery`` reviews surge
  in 2026-10.
* **customers** (~10,000): churn is a logistic model of the customer's covariates plus a
  detractor effect, with known coefficients.
* **journey** (~60,000 events): a funnel with known conversion rates, the same lowest stage
  and touchpoint, and one touchpoint with low task success.

Everything is drawn with :func:`numpy.random.default_rng` from one seed and is vectorised,
so ``scale=100`` (a hundred times the rows) stays fast, and the same seed and scale give
byte-identical files.

Examples
--------
>>> tables = generate(scale=0.02)
>>> sorted(tables)
['customers', 'feedback', 'journey', 'review_templates', 'reviews']
>>> tables["customers"].columns[:4].tolist()
['customer_id', 'signup_at', 'churned', 'churned_at']
>>> truth()["nps_drop_month"]
'2026-08'
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import numbers
import os
import string
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, SupportsFloat, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "write_sample",
    "generate",
    "truth",
    "main",
    "MONTHS",
    "DRIVERS",
    "TOUCHPOINTS",
    "CHANNELS",
    "THEMES",
    "LANGUAGES",
    "REVIEW_TEMPLATES",
]

DEFAULT_SEED = 20261
REGENERATE_COMMAND = "cxkit sample --seed 20261 --out data/sample"

_STAGES = ("awareness", "consideration", "decision", "retention", "advocacy")

# --------------------------------------------------------------------------------------
# Time: twelve calendar months; the window ends (exclusive) at 2026-11-01T00:00, i.e. at the
# end of 2026-10-31. Times are whole minutes since the Unix epoch, UTC-naive.
# --------------------------------------------------------------------------------------

#: The twelve months the sample covers, oldest first; 2026-10 is the last complete month.
MONTHS: tuple[str, ...] = tuple(str(m) for m in np.arange("2025-11", "2026-11", dtype="datetime64[M]"))
_MONTH_EDGES = np.arange("2025-11", "2026-12", dtype="datetime64[M]").astype("datetime64[m]").astype(np.int64)
_WINDOW_START = int(_MONTH_EDGES[0])
_WINDOW_END = int(_MONTH_EDGES[-1])
_MINUTES_PER_MONTH = 30.4375 * 24 * 60  # tenure months are days / 30.4375
_DAY = 24 * 60

# --------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------

#: Driver-rating columns of the feedback table (1-10, higher is better).
DRIVERS: tuple[str, ...] = (
    "support",
    "price",
    "product_quality",
    "delivery",
    "ease_of_use",
    "billing",
    "app_experience",
    "staff",
)
#: Touchpoints shared by feedback and journey.
TOUCHPOINTS: tuple[str, ...] = (
    "website",
    "mobile app",
    "call centre",
    "live chat",
    "delivery",
    "billing",
    "store visit",
    "onboarding",
)
#: Contact channels.
CHANNELS: tuple[str, ...] = ("web", "app", "phone", "email", "store")
#: Review and comment themes; each driver has one (``ease_of_use`` -> ``usability``, ...).
THEMES: tuple[str, ...] = (
    "price",
    "delivery",
    "support",
    "quality",
    "usability",
    "billing",
    "app",
    "staff",
)
#: Languages of comments and reviews: English, Danish, Norwegian Bokmål, Swedish.
LANGUAGES: tuple[str, ...] = ("en", "da", "nb", "sv")
_SENTIMENTS = ("negative", "neutral", "positive")
_SEGMENTS = ("Consumer", "SMB", "Enterprise")
_CONTRACTS = ("monthly", "annual", "two_year")
_REGIONS = ("Denmark", "Norway", "Sweden")
_REGION_LANGUAGE = np.array([1, 2, 3])  # da, nb, sv: index into LANGUAGES
_SOURCES = ("trustpilot", "google", "app_store")

_DRIVER_THEME = np.array(
    [THEMES.index(t) for t in ("support", "price", "quality", "delivery", "usability", "billing", "app", "staff")]
)

# --------------------------------------------------------------------------------------
# Planted parameters. Every number below is reported in truth.json.
# --------------------------------------------------------------------------------------

# NPS = intercept + sum(weight * driver rating) + month shift + noise, rounded to 0..10.
# Adjacent weights differ by 0.06-0.11 so that the key-driver order survives sampling noise
# even in a single month of ~2,000 responses (checked by simulation when choosing them).
_DRIVER_WEIGHTS = {
    "product_quality": 0.66,
    "support": 0.54,
    "price": 0.43,
    "ease_of_use": 0.33,
    "delivery": 0.24,
    "app_experience": 0.16,
    "staff": 0.09,
    "billing": 0.02,
}
# Mean ratings (performance): billing is the weakest but least important driver, the classic
# "low priority" quadrant of an importance-performance chart.
_DRIVER_MEANS = {
    "support": 6.4,
    "price": 5.8,
    "product_quality": 7.0,
    "delivery": 6.6,
    "ease_of_use": 7.2,
    "billing": 5.2,
    "app_experience": 6.8,
    "staff": 7.4,
}
_DRIVER_LOADING = 1.0  # on a shared unit-variance factor: pairwise correlation ~0.23
_DRIVER_NOISE = 1.8
_CUSTOMER_SHARE = 0.6  # how much of the shared factor is the customer's lasting satisfaction
_NPS_INTERCEPT = -8.0
_NPS_NOISE = 1.0
# The August drop is a shift of the NPS itself, not of a driver, so the driver importance
# is the same in every month; September and October recover partly.
_NPS_MONTH_SHIFT = {"2026-08": -0.5, "2026-09": -0.25, "2026-10": -0.12}
_NPS_DROP_MONTH = "2026-08"
# Centre and spread of the continuous NPS score, used to put CSAT and CES on its scale.
_NPS_CENTER, _NPS_SPREAD = 8.3, 3.1

# Survey responses per month, and the share of month m's draws expected to be removed
# (about m * 1.6 %) because the customer churned before answering; drawing that many more
# keeps the realised monthly counts near 2,000.
_RESPONSES_PER_MONTH = 2000
_RESPONSE_LOSS_PER_MONTH = 0.016
_MISSING_DRIVER_ROW_RATE = 0.03  # MCAR: these rows miss 1-3 driver ratings
_COMMENT_RATE = {"detractor": 0.75, "passive": 0.5, "promoter": 0.55}
_LOCAL_LANGUAGE_RATE = 0.65  # else the comment is in English

_FEEDBACK_STAGE_P = np.array([0.10, 0.15, 0.22, 0.38, 0.15])
# P(touchpoint | stage); rows follow _STAGES, columns TOUCHPOINTS.
_TOUCHPOINT_GIVEN_STAGE = np.array(
    [
        # web   app  call  chat deliv bill store onbrd
        [0.45, 0.15, 0.10, 0.10, 0.00, 0.00, 0.20, 0.00],  # awareness
        [0.35, 0.20, 0.10, 0.20, 0.00, 0.00, 0.15, 0.00],  # consideration
        [0.25, 0.15, 0.10, 0.00, 0.00, 0.15, 0.15, 0.20],  # decision
        [0.10, 0.20, 0.15, 0.15, 0.20, 0.20, 0.00, 0.00],  # retention
        [0.30, 0.30, 0.10, 0.10, 0.00, 0.00, 0.20, 0.00],  # advocacy
    ]
)
# P(channel | touchpoint); columns CHANNELS.
_CHANNEL_GIVEN_TOUCHPOINT = np.array(
    [
        # web  app  phone email store
        [1.00, 0.00, 0.00, 0.00, 0.00],  # website
        [0.00, 1.00, 0.00, 0.00, 0.00],  # mobile app
        [0.00, 0.00, 1.00, 0.00, 0.00],  # call centre
        [0.60, 0.40, 0.00, 0.00, 0.00],  # live chat
        [0.20, 0.40, 0.00, 0.40, 0.00],  # delivery
        [0.40, 0.10, 0.00, 0.50, 0.00],  # billing
        [0.00, 0.00, 0.00, 0.00, 1.00],  # store visit
        [0.35, 0.30, 0.15, 0.20, 0.00],  # onboarding
    ]
)
# Shifts of the continuous CSAT (1-5) and CES (1-7, low = easy) scores.
_CSAT_STAGE = np.array([0.10, 0.0, -0.45, -0.05, 0.25])
_CSAT_TOUCHPOINT = np.array([0.05, 0.10, -0.15, -0.10, -0.10, -0.70, 0.20, 0.0])
_CES_STAGE = np.array([0.0, 0.0, 0.30, 0.0, -0.10])
_CES_TOUCHPOINT = np.array([0.0, -0.20, 0.50, 0.30, 0.10, 0.60, -0.10, 0.40])

# Churn: log-odds = sum(coefficient * term), with statsmodels' names for the terms of
# _CHURN_FORMULA. ``detractor`` is derived from feedback (see _DETRACTOR_RULE).
_CHURN_FORMULA = (
    "churned ~ I(tenure_months/12) + I(monthly_revenue/10)"
    " + C(segment, Treatment('Consumer')) + C(contract, Treatment('monthly'))"
    " + support_tickets + detractor"
)
_CHURN_COEFFICIENTS = {
    "Intercept": -1.15,
    "I(tenure_months / 12)": -0.35,
    "I(monthly_revenue / 10)": 0.05,
    "C(segment, Treatment('Consumer'))[T.SMB]": -0.5,
    "C(segment, Treatment('Consumer'))[T.Enterprise]": -1.2,
    "C(contract, Treatment('monthly'))[T.annual]": -0.7,
    "C(contract, Treatment('monthly'))[T.two_year]": -1.3,
    "support_tickets": 0.25,
    "detractor": 0.9,
}
_DETRACTOR_RULE = (
    "detractor = 1 when the customer's first valid survey response in feedback.csv (earliest "
    "responded_at, ties broken by the smaller response_id; rows with an out-of-range nps, an "
    "unparseable date or a repeated response_id are not valid) has nps 0-6, else 0 "
    "(passives, promoters and customers without a response). churned is coded 1/0."
)
_CHURN_DELAY_DAYS = 60  # mean time from the first survey response to churn
_SEGMENT_P = np.array([0.62, 0.28, 0.10])
_CONTRACT_GIVEN_SEGMENT = np.array([[0.60, 0.30, 0.10], [0.40, 0.40, 0.20], [0.15, 0.45, 0.40]])
_REVENUE_MEDIAN = np.array([45.0, 95.0, 180.0])
_REVENUE_SIGMA = 0.35
_TENURE_SHAPE, _TENURE_SCALE = 1.6, 15.0  # 0.3 months + gamma: mean 24.3 months

# Reviews: sentiment and theme mix per month; negative delivery reviews surge in 2026-10.
_REVIEWS_PER_MONTH = 1000
_REVIEW_LANGUAGE_P = np.array([0.4, 0.2, 0.2, 0.2])
_REVIEW_SOURCE_P = np.array([0.45, 0.35, 0.20])
_REVIEW_SENTIMENT_P = np.array([0.30, 0.20, 0.50])  # negative, neutral, positive
_REVIEW_THEME_P = np.array([0.14, 0.12, 0.14, 0.16, 0.10, 0.10, 0.14, 0.10])
_EMERGING = {"theme": "delivery", "sentiment": "negative", "month": "2026-10", "multiplier": 5.0}
# P(stars 1..5 | sentiment)
_STARS_GIVEN_SENTIMENT = np.array(
    [
        [0.60, 0.33, 0.07, 0.00, 0.00],
        [0.00, 0.15, 0.60, 0.25, 0.00],
        [0.00, 0.00, 0.05, 0.35, 0.60],
    ]
)

# Journey funnel: P(reach the next stage | reached this one), events per reached stage
# (1 + Poisson), task success per touchpoint (live chat is poor).
_JOURNEY_CUSTOMERS = 6500
_FUNNEL_CONVERSION = {
    "awareness->consideration": 0.70,
    "consideration->decision": 0.55,
    "decision->retention": 0.80,
    "retention->advocacy": 0.40,
}
_EVENTS_EXTRA_MEAN = np.array([2.5, 3.0, 2.0, 4.0, 1.5])
_SUCCESS_P = np.array([0.93, 0.91, 0.84, 0.58, 0.90, 0.86, 0.95, 0.88])
_LOW_SUCCESS_TOUCHPOINT = "live chat"
_DURATION_MEDIAN_S = np.array([95, 70, 420, 540, 60, 180, 900, 1200], dtype=float)
_CSAT_FAILURE = -0.45

# Data-quality material, per scale 1 (counts scale with ``scale``, at least one each).
_BAD_FEEDBACK = {"nps_out_of_range": 12, "unparseable_date": 5, "duplicate_id": 3}
_BAD_REVIEWS = {"rating_out_of_range": 4, "duplicate_id": 2}
_BAD_DATES = ("31/02/2026", "n/a", "2026-02-30T10:15:00", "31/02/2026", "n/a")
_SPECIAL_COMMENTS = 10

_POPULATION_DRAWS = 1_000_000
_POPULATION_SEED = 1  # the population is a property of the parameters, not of the seed

# --------------------------------------------------------------------------------------
# Review templates: one per language, theme and sentiment. Slots are filled from _SLOTS.
# --------------------------------------------------------------------------------------

_SLOTS = {
    "product": ("Nova X2", "Lumi Pro", "Aero 5", "Flex Mini", "Orbit S", "Polar 3", "Tempo Max", "Kite One"),
    "amount": ("49", "99", "149", "199", "249", "299", "399", "499", "699", "899"),
    "fast": ("2", "3"),
    "days": ("4", "5", "6", "7"),
    "wait": ("9", "10", "12", "14", "16", "18", "21"),
    "times": ("3", "4", "5", "6", "7", "8"),
}

# (language, theme, sentiment, title, text)
_TEMPLATE_ROWS = (
    (
        "en",
        "price",
        "positive",
        "Great value for money",
        "Really good value for money. {product} cost {amount} kr and it is worth every penny.",
    ),
    (
        "en",
        "price",
        "neutral",
        "Fair price, nothing special",
        "The price of {product} is okay for {amount} kr. Not cheap, but not expensive either.",
    ),
    (
        "en",
        "price",
        "negative",
        "Waste of money",
        "Complete waste of money. I paid {amount} kr for {product} and it is not worth it at all, far too expensive.",
    ),
    (
        "en",
        "delivery",
        "positive",
        "Super fast delivery",
        "Ordered {product} and it arrived in just {fast} days. Very well packed, extremely happy.",
    ),
    (
        "en",
        "delivery",
        "neutral",
        "Delivery as expected",
        "Delivery took {days} days. Nothing special, but the parcel arrived.",
    ),
    (
        "en",
        "delivery",
        "negative",
        "Delivery far too slow",
        "I have waited {wait} days for my {product} and the tracking is never updated. Not good enough.",
    ),
    (
        "en",
        "support",
        "positive",
        "Very helpful support",
        "Customer support solved my problem with {product} in a few minutes. Friendly and really helpful.",
    ),
    (
        "en",
        "support",
        "neutral",
        "Support was okay",
        "I contacted support about {product}. They replied after {days} days and the answer "
        "was fine, but nothing more.",
    ),
    (
        "en",
        "support",
        "negative",
        "Terrible customer service",
        "Terrible customer service. I have called {times} times and nobody can help me. Not helpful at all.",
    ),
    (
        "en",
        "quality",
        "positive",
        "Excellent quality",
        "A bit pricey, but {product} feels solid and works perfectly. Excellent quality, highly recommended.",
    ),
    (
        "en",
        "quality",
        "neutral",
        "Decent quality",
        "{product} does the job. The quality is decent, but not as good as I had hoped.",
    ),
    (
        "en",
        "quality",
        "negative",
        "Poor quality",
        "My {product} stopped working after only {wait} days. Really poor quality, not good.",
    ),
    (
        "en",
        "usability",
        "positive",
        "So easy to use",
        "Setting up {product} was very easy. Everything is simple and intuitive.",
    ),
    (
        "en",
        "usability",
        "neutral",
        "Takes some getting used to",
        "{product} is easy enough once you get used to it, but the setup is a bit confusing.",
    ),
    (
        "en",
        "usability",
        "negative",
        "Far too complicated",
        "Far too complicated. I could not figure out how to set up {product}, and the instructions make no sense.",
    ),
    (
        "en",
        "billing",
        "positive",
        "Clear and correct invoices",
        "My invoice is always correct and easy to understand. Paying {amount} kr every month is completely smooth.",
    ),
    (
        "en",
        "billing",
        "neutral",
        "Billing is fine",
        "The invoice was correct, but it took a while to find the payment details.",
    ),
    (
        "en",
        "billing",
        "negative",
        "Charged twice",
        "I was charged {amount} kr twice and still have not had a refund after {wait} days. Not acceptable.",
    ),
    ("en", "app", "positive", "Brilliant app", "The app is fast and I can do everything from my phone. Love it!"),
    (
        "en",
        "app",
        "neutral",
        "The app works, mostly",
        "The app works for the basics, but some features are hard to find.",
    ),
    (
        "en",
        "app",
        "negative",
        "App keeps crashing",
        "The app crashes every time I open it. So frustrating that I have deleted it.",
    ),
    (
        "en",
        "staff",
        "positive",
        "Lovely staff",
        "The staff in the shop were incredibly friendly and knew a lot about {product}.",
    ),
    ("en", "staff", "neutral", "Polite staff", "The staff were polite, but they did not know much about {product}."),
    (
        "en",
        "staff",
        "negative",
        "Rude staff",
        "The staff were rude and not interested in helping me. Very disappointing.",
    ),
    (
        "da",
        "price",
        "positive",
        "Rigtig god værdi for pengene",
        "Rigtig god værdi for pengene. {product} kostede {amount} kr., og den er hver en krone værd.",
    ),
    (
        "da",
        "price",
        "neutral",
        "Helt okay pris",
        "Prisen på {product} er helt okay til {amount} kr. Hverken billig eller dyr.",
    ),
    (
        "da",
        "price",
        "negative",
        "Spild af penge",
        "Fuldstændig spild af penge. Jeg betalte {amount} kr. for {product}, og den er slet ikke pengene værd.",
    ),
    (
        "da",
        "delivery",
        "positive",
        "Lynhurtig levering",
        "Jeg bestilte {product}, og pakken kom allerede efter {fast} dage. Rigtig godt pakket, meget tilfreds.",
    ),
    (
        "da",
        "delivery",
        "neutral",
        "Levering som forventet",
        "Leveringen tog {days} dage. Ikke noget særligt, men pakken kom frem.",
    ),
    (
        "da",
        "delivery",
        "negative",
        "Alt for langsom levering",
        "Jeg har ventet {wait} dage på min {product}, og sporingen bliver aldrig opdateret. Ikke godt nok.",
    ),
    (
        "da",
        "support",
        "positive",
        "Meget hjælpsom kundeservice",
        "Kundeservice løste mit problem med {product} på få minutter. Venlige og virkelig hjælpsomme.",
    ),
    (
        "da",
        "support",
        "neutral",
        "Kundeservice var okay",
        "Jeg skrev til kundeservice om {product}. De svarede efter {days} dage, og svaret var "
        "fint, men heller ikke mere.",
    ),
    (
        "da",
        "support",
        "negative",
        "Elendig kundeservice",
        "Elendig kundeservice. Jeg har ringet {times} gange, og ingen kan hjælpe mig. Slet ikke i orden.",
    ),
    (
        "da",
        "quality",
        "positive",
        "Fremragende kvalitet",
        "Lidt dyr, men {product} føles solid og virker perfekt. Fremragende kvalitet, kan varmt anbefales.",
    ),
    (
        "da",
        "quality",
        "neutral",
        "Udmærket kvalitet",
        "{product} gør, hvad den skal. Kvaliteten er udmærket, men ikke så god, som jeg havde håbet.",
    ),
    (
        "da",
        "quality",
        "negative",
        "Dårlig kvalitet",
        "Min {product} holdt op med at virke efter kun {wait} dage. Virkelig dårlig kvalitet, ikke god.",
    ),
    (
        "da",
        "usability",
        "positive",
        "Nem at bruge",
        "Det var meget nemt at sætte {product} op. Alt er enkelt og logisk.",
    ),
    (
        "da",
        "usability",
        "neutral",
        "Kræver lidt tilvænning",
        "{product} er nem nok, når man først har vænnet sig til den, men opsætningen er lidt forvirrende.",
    ),
    (
        "da",
        "usability",
        "negative",
        "Alt for besværligt",
        "Alt for besværligt. Jeg kunne ikke finde ud af at sætte {product} op, og vejledningen er umulig at forstå.",
    ),
    (
        "da",
        "billing",
        "positive",
        "Klare og korrekte regninger",
        "Min regning er altid korrekt og let at forstå. Det er nemt at betale {amount} kr. hver måned.",
    ),
    (
        "da",
        "billing",
        "neutral",
        "Faktureringen er fin",
        "Fakturaen var korrekt, men det tog lidt tid at finde betalingsoplysningerne.",
    ),
    (
        "da",
        "billing",
        "negative",
        "Trukket to gange",
        "Jeg er blevet trukket {amount} kr. to gange og har stadig ikke fået pengene tilbage "
        "efter {wait} dage. Ikke acceptabelt.",
    ),
    ("da", "app", "positive", "Fantastisk app", "Appen er hurtig, og jeg kan klare alt fra min telefon. Elsker den!"),
    (
        "da",
        "app",
        "neutral",
        "Appen virker for det meste",
        "Appen fungerer til det basale, men nogle funktioner er svære at finde.",
    ),
    (
        "da",
        "app",
        "negative",
        "Appen går ned hele tiden",
        "Appen går ned, hver gang jeg åbner den. Så frustrerende, at jeg har slettet den.",
    ),
    (
        "da",
        "staff",
        "positive",
        "Søde medarbejdere",
        "Personalet i butikken var utroligt venligt og vidste meget om {product}.",
    ),
    (
        "da",
        "staff",
        "neutral",
        "Høfligt personale",
        "Personalet var høfligt, men vidste ikke rigtig noget om {product}.",
    ),
    (
        "da",
        "staff",
        "negative",
        "Uhøfligt personale",
        "Personalet var uhøfligt og havde ingen interesse i at hjælpe mig. Meget skuffende.",
    ),
    (
        "nb",
        "price",
        "positive",
        "Veldig god verdi for pengene",
        "Veldig god verdi for pengene. {product} kostet {amount} kr, og den er verdt hver eneste krone.",
    ),
    ("nb", "price", "neutral", "Grei pris", "Prisen på {product} er grei for {amount} kr. Verken billig eller dyr."),
    (
        "nb",
        "price",
        "negative",
        "Ikke verdt pengene",
        "Ikke verdt pengene i det hele tatt. Jeg betalte {amount} kr for {product}, og den er altfor dyr.",
    ),
    (
        "nb",
        "delivery",
        "positive",
        "Lynrask levering",
        "Jeg bestilte {product}, og pakken kom allerede etter {fast} dager. Godt pakket, veldig fornøyd.",
    ),
    (
        "nb",
        "delivery",
        "neutral",
        "Leveringen gikk som forventet",
        "Leveringen tok {days} dager. Ikke noe spesielt, men pakken kom fram.",
    ),
    (
        "nb",
        "delivery",
        "negative",
        "Altfor treg levering",
        "Jeg har ventet i {wait} dager på {product}, og sporingen blir aldri oppdatert. Ikke bra nok.",
    ),
    (
        "nb",
        "support",
        "positive",
        "Veldig hjelpsom kundeservice",
        "Kundeservice løste problemet mitt med {product} på noen få minutter. Hyggelige og svært hjelpsomme.",
    ),
    (
        "nb",
        "support",
        "neutral",
        "Kundeservice var grei",
        "Jeg kontaktet kundeservice om {product}. De svarte etter {days} dager, og svaret var "
        "greit, men heller ikke noe mer.",
    ),
    (
        "nb",
        "support",
        "negative",
        "Håpløs kundeservice",
        "Håpløs kundeservice. Jeg har ringt {times} ganger, og ingen kan hjelpe meg. Ikke i orden.",
    ),
    (
        "nb",
        "quality",
        "positive",
        "Utmerket kvalitet",
        "Litt dyr, men {product} føles solid og fungerer helt perfekt. Utmerket kvalitet, anbefales på det sterkeste.",
    ),
    (
        "nb",
        "quality",
        "neutral",
        "Grei kvalitet",
        "{product} gjør jobben. Kvaliteten er grei, men ikke så bra som jeg hadde håpet.",
    ),
    (
        "nb",
        "quality",
        "negative",
        "Skuffende dårlig kvalitet",
        "{product} sluttet å virke etter bare {wait} dager. Virkelig dårlig kvalitet, ikke god i det hele tatt.",
    ),
    (
        "nb",
        "usability",
        "positive",
        "Lett å bruke",
        "Det var veldig lett å sette opp {product}. Alt er enkelt og logisk.",
    ),
    (
        "nb",
        "usability",
        "neutral",
        "Krever litt tilvenning",
        "{product} er grei nok når man har blitt vant til den, men oppsettet er litt forvirrende.",
    ),
    (
        "nb",
        "usability",
        "negative",
        "Altfor komplisert",
        "Altfor komplisert. Jeg fikk ikke til å sette opp {product}, og bruksanvisningen er helt uforståelig.",
    ),
    (
        "nb",
        "billing",
        "positive",
        "Ryddige og riktige fakturaer",
        "Fakturaen min er alltid riktig og lett å forstå. Det er enkelt å betale {amount} kr hver måned.",
    ),
    (
        "nb",
        "billing",
        "neutral",
        "Faktureringen er grei",
        "Fakturaen var riktig, men det tok litt tid å finne betalingsinformasjonen.",
    ),
    (
        "nb",
        "billing",
        "negative",
        "Belastet to ganger",
        "Jeg ble belastet {amount} kr to ganger og har fortsatt ikke fått pengene tilbake etter "
        "{wait} dager. Helt uakseptabelt.",
    ),
    ("nb", "app", "positive", "Kjempebra app", "Appen er rask, og jeg kan gjøre alt fra mobilen. Elsker den!"),
    (
        "nb",
        "app",
        "neutral",
        "Appen fungerer stort sett",
        "Appen fungerer for det grunnleggende, men noen funksjoner er vanskelige å finne.",
    ),
    (
        "nb",
        "app",
        "negative",
        "Appen krasjer hele tiden",
        "Appen krasjer hver gang jeg åpner den. Så frustrerende at jeg har slettet den.",
    ),
    (
        "nb",
        "staff",
        "positive",
        "Hyggelige ansatte",
        "De ansatte i butikken var utrolig hyggelige og kunne mye om {product}.",
    ),
    ("nb", "staff", "neutral", "Høflige ansatte", "De ansatte var høflige, men kunne ikke så mye om {product}."),
    (
        "nb",
        "staff",
        "negative",
        "Uhøflige ansatte",
        "De ansatte var uhøflige og ikke interessert i å hjelpe meg. Veldig skuffende.",
    ),
    (
        "sv",
        "price",
        "positive",
        "Mycket prisvärt",
        "Verkligen prisvärt. {product} kostade {amount} kr och är värd varenda krona.",
    ),
    ("sv", "price", "neutral", "Okej pris", "Priset på {product} är okej för {amount} kr. Varken billigt eller dyrt."),
    (
        "sv",
        "price",
        "negative",
        "Inte värt pengarna",
        "Inte värt pengarna alls. Jag betalade {amount} kr för {product} och den är alldeles för dyr.",
    ),
    (
        "sv",
        "delivery",
        "positive",
        "Blixtsnabb leverans",
        "Jag beställde {product} och paketet kom redan efter {fast} dagar. Väl förpackat, jättenöjd.",
    ),
    (
        "sv",
        "delivery",
        "neutral",
        "Leverans som väntat",
        "Leveransen tog {days} dagar. Inget speciellt, men paketet kom fram.",
    ),
    (
        "sv",
        "delivery",
        "negative",
        "Alldeles för långsam leverans",
        "Jag har väntat i {wait} dagar på {product} och spårningen uppdateras aldrig. Inte bra alls.",
    ),
    (
        "sv",
        "support",
        "positive",
        "Mycket hjälpsam kundtjänst",
        "Kundtjänst löste mitt problem med {product} på några minuter. Trevliga och verkligen hjälpsamma.",
    ),
    (
        "sv",
        "support",
        "neutral",
        "Kundtjänst var okej",
        "Jag kontaktade kundtjänst om {product}. De svarade efter {days} dagar och svaret var "
        "okej, men inte mer än så.",
    ),
    (
        "sv",
        "support",
        "negative",
        "Usel kundtjänst",
        "Usel kundtjänst. Jag har ringt {times} gånger och ingen kan hjälpa mig. Inte okej.",
    ),
    (
        "sv",
        "quality",
        "positive",
        "Utmärkt kvalitet",
        "Lite dyr, men {product} känns gedigen och fungerar perfekt. Utmärkt kvalitet, rekommenderas varmt.",
    ),
    (
        "sv",
        "quality",
        "neutral",
        "Helt okej kvalitet",
        "{product} gör sitt jobb. Kvaliteten är helt okej men inte så bra som jag hade hoppats.",
    ),
    (
        "sv",
        "quality",
        "negative",
        "Dålig kvalitet",
        "Min {product} slutade fungera efter bara {wait} dagar. Riktigt dålig kvalitet, inte bra.",
    ),
    (
        "sv",
        "usability",
        "positive",
        "Superenkel att använda",
        "Det var väldigt enkelt att komma igång med {product}. Allt är enkelt och logiskt.",
    ),
    (
        "sv",
        "usability",
        "neutral",
        "Kräver lite tillvänjning",
        "{product} är enkel nog när man har vant sig, men installationen är lite förvirrande.",
    ),
    (
        "sv",
        "usability",
        "negative",
        "Alldeles för krångligt",
        "Alldeles för krångligt. Jag fick inte ordning på {product} och instruktionerna går inte att förstå.",
    ),
    (
        "sv",
        "billing",
        "positive",
        "Tydliga och korrekta fakturor",
        "Min faktura är alltid korrekt och lätt att förstå. Det är smidigt att betala {amount} kr varje månad.",
    ),
    (
        "sv",
        "billing",
        "neutral",
        "Faktureringen fungerar",
        "Fakturan var korrekt, men det tog en stund att hitta betalningsuppgifterna.",
    ),
    (
        "sv",
        "billing",
        "negative",
        "Debiterad två gånger",
        "Jag blev debiterad {amount} kr två gånger och har fortfarande inte fått pengarna "
        "tillbaka efter {wait} dagar. Inte acceptabelt.",
    ),
    ("sv", "app", "positive", "Grym app", "Appen är snabb och jag kan göra allt från mobilen. Älskar den!"),
    (
        "sv",
        "app",
        "neutral",
        "Appen fungerar för det mesta",
        "Appen fungerar för det grundläggande, men vissa funktioner är svåra att hitta.",
    ),
    (
        "sv",
        "app",
        "negative",
        "Appen kraschar hela tiden",
        "Appen kraschar varje gång jag öppnar den. Så frustrerande att jag har raderat den.",
    ),
    (
        "sv",
        "staff",
        "positive",
        "Trevlig personal",
        "Personalen i butiken var otroligt trevlig och kunde mycket om {product}.",
    ),
    ("sv", "staff", "neutral", "Artig personal", "Personalen var artig men kunde inte så mycket om {product}."),
    (
        "sv",
        "staff",
        "negative",
        "Otrevlig personal",
        "Personalen var otrevlig och inte intresserad av att hjälpa mig. Mycket besviken.",
    ),
)

#: The review templates: ``id`` (``language.theme.sentiment``), ``language``, ``sentiment``,
#: ``theme``, ``title`` and ``text`` (with ``{slot}`` placeholders).
REVIEW_TEMPLATES: tuple[dict[str, str], ...] = tuple(
    {
        "id": f"{lang}.{theme}.{sentiment}",
        "language": lang,
        "sentiment": sentiment,
        "theme": theme,
        "title": title,
        "text": text,
    }
    for lang, theme, sentiment, title, text in _TEMPLATE_ROWS
)

# Comments that carry personal data (the customer's own phone or e-mail) and comments that
# look like HTML, to test masking and safe rendering.
_PII_COMMENTS = {
    "en": (
        "Please call me back on {phone}, nobody has answered my emails.",
        "You can reach me at {email} if you need more details.",
    ),
    "da": (
        "Ring venligst tilbage på {phone}, ingen har svaret på mine mails.",
        "I kan skrive til mig på {email}, hvis I har brug for flere oplysninger.",
    ),
    "nb": (
        "Ring meg tilbake på {phone}, ingen har svart på e-postene mine.",
        "Dere kan nå meg på {email} hvis dere trenger mer informasjon.",
    ),
    "sv": (
        "Ring mig på {phone}, ingen har svarat på mina mejl.",
        "Ni når mig på {email} om ni behöver mer information.",
    ),
}
_HTML_COMMENTS = (
    "<b>great</b> service, thank you!",
    "<script>alert(1)</script>",
    "Delivery was <i>very</i> slow this time",
    "<img src=x onerror=alert(1)> nice app",
    "Price is <u>too high</u> & still rising",
    'Click <a href="http://example.com/win">here</a> to win',
    "Support was ok <br> but slow",
    '<div style="color:red">Billing error again</div>',
    "5 < 7 and 10 > 8, so better than last year",
    '<iframe src="http://example.com"></iframe>',
)

# Fake people. Names are common in each country; e-mail domains are the reserved example.*.
_FIRST_NAMES = (
    (
        "Mette",
        "Lars",
        "Søren",
        "Anne",
        "Jens",
        "Camilla",
        "Mikkel",
        "Louise",
        "Rasmus",
        "Sofie",
        "Henrik",
        "Freja",
        "Morten",
        "Ida",
        "Anders",
        "Line",
    ),
    (
        "Kari",
        "Ola",
        "Ingrid",
        "Lars",
        "Silje",
        "Håkon",
        "Nora",
        "Eirik",
        "Marte",
        "Sindre",
        "Ingeborg",
        "Jonas",
        "Tone",
        "Bjørn",
        "Hilde",
        "Magnus",
    ),
    (
        "Anna",
        "Erik",
        "Björn",
        "Karin",
        "Lars",
        "Maja",
        "Oskar",
        "Elin",
        "Johan",
        "Sara",
        "Gustav",
        "Linnéa",
        "Nils",
        "Astrid",
        "Anders",
        "Ebba",
    ),
)
_LAST_NAMES = (
    (
        "Jensen",
        "Nielsen",
        "Hansen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Larsen",
        "Sørensen",
        "Rasmussen",
        "Jørgensen",
        "Madsen",
        "Kristensen",
    ),
    (
        "Hansen",
        "Johansen",
        "Olsen",
        "Larsen",
        "Andersen",
        "Berg",
        "Haugen",
        "Bakke",
        "Dahl",
        "Solberg",
        "Strand",
        "Lie",
    ),
    (
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Gustafsson",
        "Lindberg",
        "Lindqvist",
    ),
)
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
_ASCII = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ä": "a", "ö": "o", "é": "e"})


# ======================================================================================
# Public API
# ======================================================================================


def generate(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    rows: dict[str, int] | None = None,
    response_bias: Mapping[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate the sample tables in memory.

    The frames hold exactly what :func:`write_sample` writes: timestamps are ISO 8601
    strings (a few feedback rows carry unparseable dates on purpose), scores are integers
    (nullable where some are missing), ``churned`` and ``success`` are booleans.

    Parameters
    ----------
    seed : int, default 20261
        Seed of :func:`numpy.random.default_rng`; the same seed and scale give the same data.
    scale : float, default 1.0
        Multiplies every row count (customers ~10,000, feedback ~24,000, reviews ~12,000 and
        journey events ~60,000 at scale 1). Planted bad rows and special comments scale too,
        with at least one of each kind.
    rows : dict of str to int, optional
        About how many rows one table should have, overriding ``scale`` for it: keys
        ``customers``, ``feedback``, ``reviews``, ``journey`` (e.g. the big-input benchmark's
        ``{"reviews": 1_000_000, "journey": 2_000_000}``). The counts are approximate: rows
        are drawn per month and customer, as at any scale, and journey events come from at most
        the customers there are (raise ``customers`` too for many events per customer).
    response_bias : mapping, optional
        Plant a known response bias in the feedback (opt-in; default none, and the tables
        are exactly those of the default sample): ``{"segment": "Enterprise", "rate": 4.0,
        "nps_shift": 3}`` makes that segment's customers score ``nps_shift`` points higher on
        the 0-10 question (kept within 0-10) and answer ``rate`` times as often as the others
        (the others' responses are kept with probability 1 / ``rate``, drawn from a stream of
        their own). The full responses before thinning are the population: the returned
        ``response_bias`` table records, per month, its NPS (the planted population NPS), its
        segment shares (the margins to weight to) and the biased sample's size and NPS. Raking
        the biased sample to the segment shares recovers the population NPS (see
        ``tests/test_weighting_bias.py`` and TRUTH.md).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``customers``, ``feedback``, ``reviews``, ``journey`` (the canonical tables) and
        ``review_templates`` (``review_id``, ``template_id``: which template made each review);
        with ``response_bias`` also ``response_bias`` (the truth of the planted bias, one row
        per month: ``month``, ``population_n``, ``population_nps``, ``sample_n``,
        ``sample_nps``, and ``share_<segment>`` for each segment).

    Examples
    --------
    >>> tables = generate(scale=0.02)
    >>> len(tables["customers"]), len(tables["reviews"]) - len(set(tables["reviews"]["review_id"]))
    (200, 1)
    >>> sorted(tables["reviews"]["language"].unique())
    ['da', 'en', 'nb', 'sv']
    """
    tables = dict(_build(seed, scale, rows).tables)
    if response_bias is not None:
        tables["feedback"], tables["response_bias"] = _plant_response_bias(tables["feedback"], response_bias, seed)
    return tables


def _plant_response_bias(
    feedback: pd.DataFrame, bias: Mapping[str, Any], seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The biased feedback and the truth of the bias (see :func:`generate`, ``response_bias``)."""
    unknown = set(bias) - {"segment", "rate", "nps_shift"}
    segment = bias.get("segment")
    rate = float(bias.get("rate", 4.0))
    shift = int(bias.get("nps_shift", 3))
    if unknown or segment not in set(feedback["segment"].dropna()) or not rate >= 1:
        raise ValueError(
            "response_bias must be {'segment': <a segment of the sample>, 'rate': <1 or more>, 'nps_shift': "
            f"<points>}}, e.g. {{'segment': 'Enterprise', 'rate': 4.0, 'nps_shift': 3}}; got {dict(bias)!r}."
        )
    # a stream of its own, so that the default sample's streams are untouched
    rng = np.random.default_rng([int(seed), 29])
    out = feedback.copy()
    chosen = (out["segment"] == segment).to_numpy()
    score = out["nps"].to_numpy()
    valid = (score >= 0) & (score <= 10)  # planted bad scores stay as they are
    out["nps"] = np.where(chosen & valid, np.clip(score + shift, 0, 10), score)
    keep = chosen | (rng.random(len(out)) < 1.0 / rate)
    month = pd.to_datetime(out["responded_at"], errors="coerce", format="ISO8601").dt.to_period("M")
    good = valid & month.notna().to_numpy()
    rows = []
    for period in sorted(month[good].unique()):
        here = good & (month == period).to_numpy()
        population, sample = out.loc[here], out.loc[here & keep]
        shares = population["segment"].value_counts(normalize=True)
        rows.append(
            {
                "month": str(period),
                "population_n": len(population),
                "population_nps": _nps_value(population["nps"]),
                "sample_n": len(sample),
                "sample_nps": _nps_value(sample["nps"]),
                **{f"share_{k}": float(shares.get(k, 0.0)) for k in _SEGMENTS},
            }
        )
    truth = pd.DataFrame(rows)
    truth.attrs["response_bias"] = {"segment": segment, "rate": rate, "nps_shift": shift}
    return out.loc[keep].reset_index(drop=True), truth


def write_sample(
    out_dir: str | os.PathLike[str], *, seed: int = DEFAULT_SEED, scale: float = 1.0, rows: dict[str, int] | None = None
) -> dict[str, Path]:
    """Write the sample tables, ``truth.json`` and ``TRUTH.md`` into ``out_dir``.

    Writes ``feedback.csv``, ``reviews.csv``, ``customers.csv``, ``journey.csv`` (UTF-8,
    comma-separated, with a header), ``truth.json``, ``TRUTH.md`` and
    ``truth/review_templates.csv``. The same seed and scale give byte-identical files.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder to write into; created when missing. Existing files of the same names are
        replaced.
    seed : int, default 20261
        See :func:`generate`.
    scale : float, default 1.0
        See :func:`generate`.
    rows : dict of str to int, optional
        See :func:`generate`.

    Returns
    -------
    dict of str to pathlib.Path
        ``feedback``, ``reviews``, ``customers``, ``journey``, ``truth``, ``truth_md`` and
        ``review_templates``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_sample(tmp, scale=0.02)
    ...     [str(p.relative_to(tmp)) for p in paths.values()][-3:]
    ['truth.json', 'TRUTH.md', 'truth/review_templates.csv']
    """
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    sample = _build(seed, scale, rows)
    files = _file_bytes(sample)
    facts = _truth_from_sample(sample, files)
    files["truth.json"] = _truth_json_bytes(facts)
    files["TRUTH.md"] = _truth_markdown(facts).encode("utf-8")
    paths = {}
    for key, name in _FILE_NAMES.items():
        path = out / name
        path.write_bytes(files[name])
        paths[key] = path
    return paths


def truth(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The planted ground truth of the sample data.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A ``truth.json`` written by :func:`write_sample`. By default the bundled
        ``data/sample/truth.json``; when that file is absent, the truth of the default
        sample (seed 20261, scale 1) is computed from the generator instead.

    Returns
    -------
    dict
        Stable keys, among them ``seed``, ``scale``, ``months``, ``driver_weights``,
        ``driver_order``, ``expected_lmg_shares``, ``nps_by_month``, ``nps_drop_month``,
        ``lowest_stage``, ``lowest_touchpoint``, ``churn_formula``, ``churn_coefficients``,
        ``review_templates``, ``emerging_negative_theme``, ``funnel_conversion``,
        ``bad_rows`` and ``row_counts``. ``TRUTH.md`` explains each.

    Raises
    ------
    FileNotFoundError
        When an explicit ``path`` does not exist.

    Examples
    --------
    >>> facts = truth()
    >>> facts["driver_order"][0], facts["lowest_stage"], facts["lowest_touchpoint"]
    ('product_quality', 'decision', 'billing')
    """
    if path is None:
        default = _DEFAULT_TRUTH_PATH
        if default.exists():
            return cast("dict[str, Any]", json.loads(default.read_text(encoding="utf-8")))
        sample = _build(DEFAULT_SEED, 1.0)
        return _truth_from_sample(sample, _file_bytes(sample))
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"No truth file at {path}; write one with write_sample() or `{REGENERATE_COMMAND}`,"
            " or call truth() without a path for the default sample."
        )
    return cast("dict[str, Any]", json.loads(path.read_text(encoding="utf-8")))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m cxkit.data.sample --seed 20261 --out data/sample``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        Exit status (0).
    """
    parser = argparse.ArgumentParser(prog="cxkit sample", description="Write the synthetic sample data and its truth.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", default="data/sample", help="output folder")
    args = parser.parse_args(argv)
    paths = write_sample(args.out, seed=args.seed, scale=args.scale)  # --rows: see `cxkit sample`
    for path in paths.values():
        print(path)
    return 0


_DEFAULT_TRUTH_PATH = Path(__file__).resolve().parents[2] / "data" / "sample" / "truth.json"
_FILE_NAMES = {
    "feedback": "feedback.csv",
    "reviews": "reviews.csv",
    "customers": "customers.csv",
    "journey": "journey.csv",
    "truth": "truth.json",
    "truth_md": "TRUTH.md",
    "review_templates": "truth/review_templates.csv",
}


# ======================================================================================
# Generation
# ======================================================================================


class _Sample:
    """The tables plus the hidden facts the truth is computed from."""

    def __init__(self, seed: int, scale: float, scales: dict[str, float] | None = None) -> None:
        self.seed = seed
        self.scale = scale
        self.scales = scales or {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.facts: dict[str, Any] = {}


# Rows of each table at scale 1 (approximately), to turn a row target into a table's scale.
_BASE_ROWS = {"customers": 10_000, "feedback": 24_000, "reviews": 12_000, "journey": 60_000}


def _table_scales(scale: float, rows: dict[str, int] | None) -> dict[str, float]:
    if not (isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    scales = {table: float(scale) for table in _BASE_ROWS}
    for table, n in (rows or {}).items():
        if table not in _BASE_ROWS:
            raise ValueError(f"rows: unknown table {table!r}; use one of {', '.join(_BASE_ROWS)}")
        if not (isinstance(n, numbers.Integral) and n > 0):
            raise ValueError(f"rows[{table!r}] must be a positive whole number, got {n!r}")
        scales[table] = int(n) / _BASE_ROWS[table]
    return scales


def _build(seed: int, scale: float, rows: dict[str, int] | None = None) -> _Sample:
    """Draw every table; each table has its own random stream so they stay independent."""
    scales = _table_scales(scale, rows)
    seed = int(seed)
    rngs = np.random.default_rng(seed).spawn(6)
    rng_customers, rng_survey, rng_churn, rng_people, rng_reviews, rng_journey = rngs
    sample = _Sample(seed, float(scale), {t: s for t, s in scales.items() if s != scale})

    customers = _customer_covariates(rng_customers, _count(10_000, scales["customers"]))
    responses = _survey_responses(rng_survey, customers, scales["feedback"])
    _churn(rng_churn, customers, responses)
    responses = _drop_after_churn(customers, responses)
    _identities(rng_people, customers)
    sample.tables["customers"] = _customers_frame(customers)
    feedback, facts = _feedback_frame(rng_survey, customers, responses, scales["feedback"])
    sample.tables["feedback"] = feedback
    sample.facts.update(facts)
    reviews, mapping, facts = _reviews_frame(rng_reviews, scales["reviews"])
    sample.tables["reviews"] = reviews
    sample.tables["review_templates"] = mapping
    sample.facts.update(facts)
    sample.tables["journey"] = _journey_frame(rng_journey, customers, scales["journey"])
    sample.facts["detractor_customers"] = int(customers["detractor"].sum())
    return sample


def _count(base: float, scale: float) -> int:
    """Rows at this scale: never zero, so tiny samples still have every kind of row."""
    return max(1, int(round(base * scale)))


def _choose(rng: np.random.Generator, probabilities: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.intp]:
    """Indices drawn from one probability vector."""
    cumulative = np.cumsum(probabilities) / np.sum(probabilities)
    return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"), len(probabilities) - 1)


def _choose_per_row(
    rng: np.random.Generator, table: npt.NDArray[np.float64], rows: npt.NDArray[np.integer[Any]]
) -> npt.NDArray[np.int64]:
    """Indices drawn per row from ``table[rows]`` (one probability vector per row)."""
    cumulative = np.cumsum(table, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(len(rows))
    chosen = np.empty(len(rows), dtype=np.int64)
    for r in range(table.shape[0]):  # a handful of distinct rows: stay O(n) in memory
        mask = rows == r
        chosen[mask] = np.searchsorted(cumulative[r], u[mask], side="right")
    return cast("npt.NDArray[np.int64]", np.minimum(chosen, table.shape[1] - 1))


# Text columns are built as Arrow strings by taking from small tables of labels, so that a
# hundred times the rows costs no Python loop (pandas' default ``str`` dtype is Arrow).


def _str(values: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    """A pandas ``str`` array from an Arrow array or a list of str (None = missing)."""
    return cast(
        pd.api.extensions.ExtensionArray,
        pd.array(
            values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string()),
            dtype="str",
        ),
    )


def _take(labels: pa.Array | Iterable[str], codes: npt.ArrayLike) -> pa.Array:
    """``labels[codes]`` as Arrow strings; a negative code is missing."""
    codes = np.asarray(codes, dtype=np.int64)
    table = labels if isinstance(labels, pa.Array) else pa.array(list(labels), type=pa.string())
    return table.take(pa.array(codes, mask=codes < 0))


def _join(*parts: pa.Array | pa.ChunkedArray | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and str scalars."""
    strings = [
        part.cast(pa.string()) if isinstance(part, (pa.Array, pa.ChunkedArray)) and part.type != pa.string() else part
        for part in parts
    ]
    return pc.binary_join_element_wise(*strings, sep)


def _ids(prefix: str, numbers: npt.ArrayLike, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers (wider when a number needs it)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    digits = max(width, len(str(int(numbers.max(initial=0)))))
    padded = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), digits, padding="0")
    return _join(prefix, padded)


_CLOCK = pa.array([f"T{h:02d}:{m:02d}:00" for h in range(24) for m in range(60)])


def _iso(minutes: npt.ArrayLike, missing: npt.ArrayLike | None = None) -> pa.Array:
    """Minutes since the epoch as ``YYYY-MM-DDTHH:MM:SS``; ``missing`` marks empty cells."""
    minutes = np.asarray(minutes, dtype=np.int64)
    if minutes.size == 0:
        return pa.array([], type=pa.string())
    day, minute_of_day = np.divmod(minutes, _DAY)
    first = int(day.min())
    dates = pa.array(np.datetime_as_string(np.arange(first, int(day.max()) + 1).astype("datetime64[D]")).tolist())
    mask = None if missing is None else np.asarray(missing, dtype=bool)
    return _join(dates.take(pa.array(day - first, mask=mask)), _CLOCK.take(minute_of_day))


def _month_index(minutes: npt.ArrayLike) -> npt.NDArray[np.intp]:
    return np.searchsorted(_MONTH_EDGES, minutes, side="right") - 1


# ---- customers -----------------------------------------------------------------------


def _customer_covariates(rng: np.random.Generator, n: int) -> dict[str, Any]:
    """Covariates of the churn model, drawn before churn itself."""
    segment = _choose(rng, _SEGMENT_P, n)
    contract = _choose_per_row(rng, _CONTRACT_GIVEN_SEGMENT, segment)
    region = _choose(rng, np.ones(len(_REGIONS)), n)
    revenue = np.round(_REVENUE_MEDIAN[segment] * np.exp(_REVENUE_SIGMA * rng.standard_normal(n)), 2)
    # Tenure is drawn as observed (signup to churn or to the window end) and signup is placed
    # afterwards, so the churn model holds exactly for the tenure column analysts will see.
    tenure = np.round(0.3 + rng.gamma(_TENURE_SHAPE, _TENURE_SCALE, n), 2)
    satisfaction = rng.standard_normal(n)  # lasting, drives the customer's ratings
    tickets = rng.poisson(np.exp(0.2 + 0.35 * (segment == 1) + 0.7 * (segment == 2) - 0.25 * satisfaction))
    tenure_minutes = np.round(tenure * _MINUTES_PER_MONTH).astype(np.int64)
    return {
        "n": n,
        "segment": segment,
        "contract": contract,
        "region": region,
        "revenue": revenue,
        "tenure": tenure,
        "tenure_minutes": tenure_minutes,
        "satisfaction": satisfaction,
        "tickets": tickets,
        # surveys reach a customer only while they are one: from the later of the window
        # start and (window end - tenure), which is never before signup, even for churners
        # (their signup is churned_at - tenure, earlier still)
        "survey_from": np.maximum(_WINDOW_START, _WINDOW_END - tenure_minutes),
    }


def _churn(rng: np.random.Generator, customers: dict[str, Any], responses: dict[str, Any]) -> None:
    """Churn ~ Bernoulli(logistic(linear predictor)); then churn and signup times."""
    n = customers["n"]
    first = _first_response(responses, n)
    has_response = first >= 0
    detractor = np.zeros(n, dtype=np.int64)
    detractor[has_response] = responses["nps"][first[has_response]] <= 6
    c = _CHURN_COEFFICIENTS
    segment, contract = customers["segment"], customers["contract"]
    log_odds = (
        c["Intercept"]
        + c["I(tenure_months / 12)"] * customers["tenure"] / 12
        + c["I(monthly_revenue / 10)"] * customers["revenue"] / 10
        + c["C(segment, Treatment('Consumer'))[T.SMB]"] * (segment == 1)
        + c["C(segment, Treatment('Consumer'))[T.Enterprise]"] * (segment == 2)
        + c["C(contract, Treatment('monthly'))[T.annual]"] * (contract == 1)
        + c["C(contract, Treatment('monthly'))[T.two_year]"] * (contract == 2)
        + c["support_tickets"] * customers["tickets"]
        + c["detractor"] * detractor
    )
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-log_odds))
    # A churner leaves after their first survey response (which set ``detractor``): an
    # exponential delay cut off at the window end, which keeps churn spread over the months
    # (a uniform time between the response and the window end would pile churn up at the
    # end). Their later responses are removed, so the first response stays the first.
    # Churners without a response leave at a uniform time in the window.
    after = np.minimum(responses["minute"][np.maximum(first, 0)] + 1, _WINDOW_END - 1)
    u = rng.random(n)
    span = _WINDOW_END - after
    mean = _CHURN_DELAY_DAYS * _DAY
    delay = -mean * np.log1p(-u * (1 - np.exp(-span / mean)))
    anywhere = _WINDOW_START + np.floor(u * (_WINDOW_END - _WINDOW_START)).astype(np.int64)
    churned_at = np.where(has_response, after + np.floor(delay).astype(np.int64), anywhere)
    churned_at = np.minimum(churned_at, _WINDOW_END - 1)
    anchor = np.where(churned, churned_at, _WINDOW_END)
    customers.update(
        churned=churned,
        churned_at=np.where(churned, churned_at, -1),
        signup=anchor - customers["tenure_minutes"],
        detractor=detractor,
        churn_probability=1.0 / (1.0 + np.exp(-log_odds)),
    )


def _identities(rng: np.random.Generator, customers: dict[str, Any]) -> None:
    """Ids in signup order, and fake names, e-mails and phone numbers."""
    n = customers["n"]
    order = np.argsort(customers["signup"], kind="stable")
    number = np.empty(n, dtype=np.int64)
    number[order] = np.arange(1, n + 1)
    region = customers["region"]
    # every country's names in one pool; a customer draws from their country's slice
    first = _pool_pick(rng, region, [len(names) for names in _FIRST_NAMES])
    last = _pool_pick(rng, region, [len(names) for names in _LAST_NAMES])
    firsts = [name for names in _FIRST_NAMES for name in names]
    lasts = [name for names in _LAST_NAMES for name in names]

    def ascii(words: Iterable[str]) -> list[str]:
        return [w.lower().translate(_ASCII) for w in words]

    domain = rng.integers(0, len(_EMAIL_DOMAINS), n)
    local = _join(_take(ascii(firsts), first), _take(ascii(lasts), last), sep=".")
    customers.update(
        number=number,
        customer_id=_ids("C", number, 6),
        name=_join(_take(firsts, first), _take(lasts, last), sep=" "),
        email=_join(local, pc.cast(pa.array(number), pa.string()), "@", _take(_EMAIL_DOMAINS, domain)),
        phone=_phones(rng, region),
    )


def _pool_pick(
    rng: np.random.Generator, group: npt.NDArray[np.integer[Any]], sizes: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """Index into concatenated pools: uniform within the pool of each row's group."""
    sizes = np.asarray(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return cast(
        "npt.NDArray[np.int64]", starts[group] + np.floor(rng.random(group.size) * sizes[group]).astype(np.int64)
    )


def _phones(rng: np.random.Generator, region: npt.NDArray[np.integer[Any]]) -> pa.Array:
    """Phone numbers in the national style of +45 (DK), +47 (NO) and +46 (SE)."""
    n = region.size
    pad2 = pa.array([f"{i:02d}" for i in range(100)])
    pad3 = pa.array([f"{i:03d}" for i in range(1000)])
    a, b, c, d = (rng.integers(0, 100, n) for _ in range(4))
    e = rng.integers(0, 1000, n)
    digit = pa.array([str(i) for i in range(10)])
    dk = _join("+45", _join("2", digit.take(a % 10)), pad2.take(b), pad2.take(c), pad2.take(d), sep=" ")
    no = _join("+47", _join("4", pad2.take(a)), pad2.take(b), pad3.take(e), sep=" ")
    se = _join("+46 70", pad3.take(e), pad2.take(b), pad2.take(c), sep=" ")
    return pc.choose(pa.array(region.astype(np.int8)), dk, no, se)


def _customers_frame(customers: dict[str, Any]) -> pd.DataFrame:
    order = np.argsort(customers["number"], kind="stable")
    churned = customers["churned"][order]
    rows = pa.array(order)
    return pd.DataFrame(
        {
            "customer_id": _str(customers["customer_id"].take(rows)),
            "signup_at": _str(_iso(customers["signup"][order])),
            "churned": churned,
            "churned_at": _str(_iso(customers["churned_at"][order], missing=~churned)),
            "tenure_months": customers["tenure"][order],
            "monthly_revenue": customers["revenue"][order],
            "segment": _str(_take(_SEGMENTS, customers["segment"][order])),
            "region": _str(_take(_REGIONS, customers["region"][order])),
            "contract": _str(_take(_CONTRACTS, customers["contract"][order])),
            "support_tickets": customers["tickets"][order],
            "name": _str(customers["name"].take(rows)),
            "email": _str(customers["email"].take(rows)),
            "phone": _str(customers["phone"].take(rows)),
        }
    )


# ---- survey responses (feedback) ------------------------------------------------------


def _driver_ratings(rng: np.random.Generator, satisfaction: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Driver ratings 1-10 sharing a factor (partly the customer's lasting satisfaction)."""
    n = satisfaction.size
    factor = _CUSTOMER_SHARE * satisfaction + math.sqrt(1 - _CUSTOMER_SHARE**2) * rng.standard_normal(n)
    means = np.array([_DRIVER_MEANS[d] for d in DRIVERS])
    latent = means + _DRIVER_LOADING * factor[:, None] + _DRIVER_NOISE * rng.standard_normal((n, len(DRIVERS)))
    return np.clip(np.rint(latent), 1, 10).astype(np.int64)


def _nps_score(
    rng: np.random.Generator, ratings: npt.NDArray[np.int64], shift: npt.NDArray[np.float64] | float
) -> npt.NDArray[np.float64]:
    """The continuous NPS score before rounding: linear in the driver ratings."""
    weights = np.array([_DRIVER_WEIGHTS[d] for d in DRIVERS])
    return cast(
        "npt.NDArray[np.float64]",
        _NPS_INTERCEPT + ratings @ weights + shift + _NPS_NOISE * rng.standard_normal(ratings.shape[0]),
    )


def _survey_responses(rng: np.random.Generator, customers: dict[str, Any], scale: float) -> dict[str, Any]:
    """Survey responses month by month, from customers a survey can reach in that month."""
    per_month = _count(_RESPONSES_PER_MONTH, scale)
    who_by_month, minute_by_month = [], []
    for m in range(len(MONTHS)):
        lo, hi = _MONTH_EDGES[m], _MONTH_EDGES[m + 1]
        reachable = np.flatnonzero(customers["survey_from"] < hi)
        k = int(round(per_month / (1 - _RESPONSE_LOSS_PER_MONTH * m)))
        picked = reachable[rng.integers(0, reachable.size, k)]
        start = np.maximum(lo, customers["survey_from"][picked])
        who_by_month.append(picked)
        minute_by_month.append(start + np.floor(rng.random(k) * (hi - start)).astype(np.int64))
    who, minute = np.concatenate(who_by_month), np.concatenate(minute_by_month)
    order = np.argsort(minute, kind="stable")  # time order; ids follow it
    who, minute = who[order], minute[order]
    n = who.size

    month = _month_index(minute)
    shift = np.array([_NPS_MONTH_SHIFT.get(m, 0.0) for m in MONTHS])[month]
    ratings = _driver_ratings(rng, customers["satisfaction"][who])
    score = _nps_score(rng, ratings, shift)
    nps = np.clip(np.rint(score), 0, 10).astype(np.int64)
    stage = _choose(rng, _FEEDBACK_STAGE_P, n)
    touchpoint = _choose_per_row(rng, _TOUCHPOINT_GIVEN_STAGE, stage)
    channel = _choose_per_row(rng, _CHANNEL_GIVEN_TOUCHPOINT, touchpoint)
    experience = (score - _NPS_CENTER) / _NPS_SPREAD
    csat = np.clip(
        np.rint(
            3.7 + 0.8 * experience + _CSAT_STAGE[stage] + _CSAT_TOUCHPOINT[touchpoint] + 0.6 * rng.standard_normal(n)
        ),
        1,
        5,
    ).astype(np.int64)
    ces = np.clip(
        np.rint(
            3.0 - 0.7 * experience + _CES_STAGE[stage] + _CES_TOUCHPOINT[touchpoint] + 0.8 * rng.standard_normal(n)
        ),
        1,
        7,
    ).astype(np.int64)
    return {
        "customer": who,
        "minute": minute,
        "month": month,
        "ratings": ratings,
        "nps": nps,
        "csat": csat,
        "ces": ces,
        "stage": stage,
        "touchpoint": touchpoint,
        "channel": channel,
    }


def _first_response(responses: dict[str, Any], n_customers: int) -> npt.NDArray[np.int64]:
    """Row of each customer's first response (rows are in time order), -1 when none."""
    first = np.full(n_customers, -1, dtype=np.int64)
    customers, rows = np.unique(responses["customer"], return_index=True)
    first[customers] = rows
    return first


def _drop_after_churn(customers: dict[str, Any], responses: dict[str, Any]) -> dict[str, Any]:
    who = responses["customer"]
    gone = customers["churned"][who] & (responses["minute"] > customers["churned_at"][who])
    return {key: value[~gone] for key, value in responses.items()}


def _template_variants() -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every filled-in text of every template, so rows pick texts by index (vectorised):
    the texts, and per template the offset of its first variant and its number of variants."""
    texts: list[str] = []
    offsets: list[int] = []
    counts: list[int] = []
    formatter = string.Formatter()
    for template in REVIEW_TEMPLATES:
        slots = sorted({name for _, name, _, _ in formatter.parse(template["text"]) if name})
        combos = list(itertools.product(*(_SLOTS[s] for s in slots)))
        offsets.append(len(texts))
        counts.append(len(combos))
        texts.extend(template["text"].format(**dict(zip(slots, combo))) for combo in combos)
    return texts, np.array(offsets), np.array(counts)


_TEMPLATE_INDEX = {(t["language"], t["theme"], t["sentiment"]): i for i, t in enumerate(REVIEW_TEMPLATES)}
_TEMPLATE_LOOKUP = np.array(
    [
        [[_TEMPLATE_INDEX[(lang, theme, sentiment)] for sentiment in _SENTIMENTS] for theme in THEMES]
        for lang in LANGUAGES
    ]
)
_TEXTS, _TEXT_OFFSET, _TEXT_COUNT = _template_variants()


def _template_text_index(rng: np.random.Generator, template: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.int64]:
    """Index into _TEXTS of a random filled-in variant of each row's template."""
    variant = np.floor(rng.random(template.size) * _TEXT_COUNT[template]).astype(np.int64)
    return cast("npt.NDArray[np.int64]", _TEXT_OFFSET[template] + variant)


def _comments(
    rng: np.random.Generator, customers: dict[str, Any], responses: dict[str, Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Comments: sentiment from the NPS group, theme from the weakest (or, for promoters,
    strongest) driver, language from the customer's country or English.

    Returns the index into _TEXTS (-1: no comment) and the language code (-1: none).
    """
    n = responses["nps"].size
    nps = responses["nps"]
    group = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))  # detractor, passive, promoter
    rate = np.array([_COMMENT_RATE["detractor"], _COMMENT_RATE["passive"], _COMMENT_RATE["promoter"]])[group]
    has_comment = rng.random(n) < rate
    language = np.where(
        rng.random(n) < _LOCAL_LANGUAGE_RATE, _REGION_LANGUAGE[customers["region"][responses["customer"]]], 0
    )
    # ties between equal ratings are broken at random, not by column order
    jittered = responses["ratings"] + rng.random(responses["ratings"].shape) * 0.5
    driver = np.where(group == 2, jittered.argmax(axis=1), jittered.argmin(axis=1))
    template = _TEMPLATE_LOOKUP[language, _DRIVER_THEME[driver], group]
    text = _template_text_index(rng, template)
    return np.where(has_comment, text, -1), np.where(has_comment, language, -1)


def _feedback_frame(
    rng: np.random.Generator, customers: dict[str, Any], responses: dict[str, Any], scale: float
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The feedback table: responses plus comments, special comments, missing ratings and
    the planted bad rows. Returns the frame and the facts about it."""
    n = responses["nps"].size
    who = responses["customer"]
    comment, language = _comments(rng, customers, responses)

    # special comments: the customer's own phone or e-mail, or HTML-looking text; their
    # texts are appended to the table of comment texts
    commented = np.flatnonzero(comment >= 0)
    n_special = min(_count(_SPECIAL_COMMENTS, scale), commented.size // 2)
    special = rng.choice(commented, size=2 * n_special, replace=False)
    pii_rows, html_rows = np.sort(special[:n_special]), np.sort(special[n_special:])
    extra = []
    for k, row in enumerate(pii_rows):
        pattern = _PII_COMMENTS[LANGUAGES[language[row]]][k % 2]
        person = who[row]
        extra.append(pattern.format(phone=customers["phone"][person].as_py(), email=customers["email"][person].as_py()))
    comment[pii_rows] = len(_TEXTS) + np.arange(n_special)
    extra.extend(_HTML_COMMENTS[k % len(_HTML_COMMENTS)] for k in range(n_special))
    comment[html_rows] = len(_TEXTS) + n_special + np.arange(n_special)
    language[html_rows] = LANGUAGES.index("en")

    # driver ratings missing completely at random: 1-3 of them in ~3% of rows
    ratings = responses["ratings"].astype(float)
    missing_rows = np.flatnonzero(rng.random(n) < _MISSING_DRIVER_ROW_RATE)
    how_many = rng.integers(1, 4, missing_rows.size)
    rank = rng.random((missing_rows.size, len(DRIVERS))).argsort(axis=1).argsort(axis=1)
    hole = rank < how_many[:, None]
    block = ratings[missing_rows]
    block[hole] = np.nan
    ratings[missing_rows] = block

    valid = pd.DataFrame(
        {
            "response_id": _str([""] * n),
            "customer_id": _str(customers["customer_id"].take(pa.array(who))),
            "responded_at": _str(_iso(responses["minute"])),
            "channel": _str(_take(CHANNELS, responses["channel"])),
            "touchpoint": _str(_take(TOUCHPOINTS, responses["touchpoint"])),
            "journey_stage": _str(_take(_STAGES, responses["stage"])),
            "segment": _str(_take(_SEGMENTS, customers["segment"][who])),
            "nps": responses["nps"],
            "csat": responses["csat"],
            "ces": responses["ces"],
            **{d: pd.array(ratings[:, j], dtype="Int64") for j, d in enumerate(DRIVERS)},
            "comment": _str(_take(_TEXTS + extra, comment)),
            "language": _str(_take(LANGUAGES, language)),
        }
    )

    # bad rows are copies inserted right after their source row, so dropping them (and
    # keeping the first of a repeated id) gives back exactly the data the truth describes;
    # sources are never a customer's first response, which the churn model depends on
    first = _first_response(responses, customers["n"])
    eligible = np.setdiff1d(np.arange(n), np.concatenate([first[first >= 0], special]))
    counts = {kind: _count(k, scale) for kind, k in _BAD_FEEDBACK.items()}
    frame, valid_rows, bad = _insert_bad_rows(rng, valid, eligible, counts, "response_id", "R", 7)
    for kind, rows in bad.items():
        if kind == "nps_out_of_range":
            frame.loc[rows, "nps"] = 11
        elif kind == "unparseable_date":
            frame.loc[rows, "responded_at"] = [_BAD_DATES[i % len(_BAD_DATES)] for i in range(len(rows))]
    ids = frame["response_id"].to_numpy()
    facts = {
        "feedback_valid_rows": valid_rows,
        "bad_feedback": {kind: ids[rows].tolist() for kind, rows in bad.items()},
        "pii_comment_ids": ids[valid_rows[pii_rows]].tolist(),
        "html_comment_ids": ids[valid_rows[html_rows]].tolist(),
        "missing_driver_rows": int(missing_rows.size),
        "missing_driver_cells": int(hole.sum()),
    }
    return frame, facts


def _insert_bad_rows(
    rng: np.random.Generator,
    valid: pd.DataFrame,
    eligible: npt.NDArray[np.integer[Any]],
    counts: dict[str, int],
    id_column: str,
    prefix: str,
    width: int,
) -> tuple[pd.DataFrame, npt.NDArray[np.intp], dict[str, npt.NDArray[np.intp]]]:
    """Insert copies of randomly chosen ``eligible`` rows right after their sources and
    number the rows in file order; a ``duplicate_id`` copy keeps its source's id.

    Returns the frame, the positions of the valid (original) rows in it, and per kind of
    bad row the positions of the inserted copies (to be spoilt by the caller).
    """
    n = len(valid)
    kinds = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    sources = rng.choice(eligible, size=kinds.size, replace=False)
    source_of = np.concatenate([np.arange(n), sources])
    after = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(sources.size, dtype=np.int64)])
    order = np.lexsort((after, source_of))
    frame = valid.iloc[source_of[order]].reset_index(drop=True)
    kind_of = np.concatenate([np.full(n, "", dtype=object), kinds])[order]
    # each source has one copy, placed just after it: a duplicate takes the id of that row
    number = np.cumsum(kind_of != "duplicate_id")
    frame[id_column] = _str(_ids(prefix, number, width))
    bad = {kind: np.flatnonzero(kind_of == kind) for kind in counts}
    return frame, np.flatnonzero(kind_of == ""), bad


# ---- reviews ---------------------------------------------------------------------------


def _reviews_frame(rng: np.random.Generator, scale: float) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Reviews from templates; star ratings follow the template's sentiment."""
    per_month = _count(_REVIEWS_PER_MONTH, scale)
    base = np.outer(_REVIEW_SENTIMENT_P, _REVIEW_THEME_P)
    surge = (_SENTIMENTS.index(_EMERGING["sentiment"]), THEMES.index(_EMERGING["theme"]))
    cells, minutes = [], []
    for m, month in enumerate(MONTHS):
        weights = base.copy()
        if month == _EMERGING["month"]:
            weights[surge] *= _EMERGING["multiplier"]
        cells.append(_choose(rng, weights.ravel(), per_month))
        lo, hi = _MONTH_EDGES[m], _MONTH_EDGES[m + 1]
        minutes.append(lo + np.floor(rng.random(per_month) * (hi - lo)).astype(np.int64))
    cell, minute = np.concatenate(cells), np.concatenate(minutes)
    order = np.argsort(minute, kind="stable")
    cell, minute = cell[order], minute[order]
    n = cell.size
    sentiment, theme = np.divmod(cell, len(THEMES))
    language = _choose(rng, _REVIEW_LANGUAGE_P, n)
    template = _TEMPLATE_LOOKUP[language, theme, sentiment]
    valid = pd.DataFrame(
        {
            "review_id": _str([""] * n),
            "published_at": _str(_iso(minute)),
            "source": _str(_take(_SOURCES, _choose(rng, _REVIEW_SOURCE_P, n))),
            "rating": 1 + _choose_per_row(rng, _STARS_GIVEN_SENTIMENT, sentiment),
            "title": _str(_take([t["title"] for t in REVIEW_TEMPLATES], template)),
            "text": _str(_take(_TEXTS, _template_text_index(rng, template))),
            "language": _str(_take(LANGUAGES, language)),
            "template_id": _str(_take([t["id"] for t in REVIEW_TEMPLATES], template)),
        }
    )
    counts = {kind: _count(k, scale) for kind, k in _BAD_REVIEWS.items()}
    frame, valid_rows, bad = _insert_bad_rows(rng, valid, np.arange(n), counts, "review_id", "RV", 7)
    rows = bad["rating_out_of_range"]
    frame.loc[rows, "rating"] = np.where(np.arange(rows.size) % 2 == 0, 0, 6)
    mapping = frame[["review_id", "template_id"]].drop_duplicates("review_id").reset_index(drop=True)
    frame = frame.drop(columns="template_id")
    ids = frame["review_id"].to_numpy()
    facts = {
        "reviews_valid_rows": valid_rows,
        "bad_reviews": {kind: ids[rows].tolist() for kind, rows in bad.items()},
    }
    return frame, mapping, facts


# ---- journey ---------------------------------------------------------------------------


def _journey_frame(rng: np.random.Generator, customers: dict[str, Any], scale: float) -> pd.DataFrame:
    """Touchpoint events of a funnel, in time order per customer, while they are customers."""
    active_from = np.maximum(_WINDOW_START, customers["signup"])
    active_to = np.where(customers["churned"], customers["churned_at"], _WINDOW_END) - 1
    room = active_to - active_from
    eligible = np.flatnonzero(room >= 45 * _DAY)
    n = min(_count(_JOURNEY_CUSTOMERS, scale), eligible.size)
    who = np.sort(rng.choice(eligible, size=n, replace=False))

    conversion = np.array(list(_FUNNEL_CONVERSION.values()))
    passes = rng.random((n, conversion.size)) < conversion
    depth = 1 + np.cumprod(passes, axis=1).sum(axis=1)  # stages reached, awareness first
    events = 1 + rng.poisson(_EVENTS_EXTRA_MEAN, (n, len(_STAGES)))
    events[np.arange(len(_STAGES))[None, :] >= depth[:, None]] = 0
    per_customer = events.sum(axis=1)
    owner = np.repeat(np.arange(n), per_customer)
    stage = np.repeat(np.tile(np.arange(len(_STAGES)), n), events.ravel())
    total = owner.size

    # time: short gaps within a stage, a longer one before each new stage; squeezed to fit
    # the customer's active period when it would not
    first_event = np.concatenate([[0], np.cumsum(per_customer)[:-1]])
    new_stage = np.concatenate([[True], stage[1:] != stage[:-1]])
    gap = rng.exponential(2 * _DAY, total) + new_stage * rng.exponential(8 * _DAY, total)
    gap[first_event] = 0.0
    offset = np.cumsum(gap)
    offset -= offset[first_event][owner]
    span = offset[first_event + per_customer - 1]
    fit = np.minimum(1.0, 0.9 * room[who] / np.maximum(span, 1.0))
    offset *= fit[owner]
    span *= fit
    start = active_from[who] + rng.random(n) * (room[who] - span)
    minute = np.floor(start[owner] + offset).astype(np.int64)

    touchpoint = _choose_per_row(rng, _TOUCHPOINT_GIVEN_STAGE, stage)
    channel = _choose_per_row(rng, _CHANNEL_GIVEN_TOUCHPOINT, touchpoint)
    success = rng.random(total) < _SUCCESS_P[touchpoint]
    satisfaction = customers["satisfaction"][who][owner]
    csat = np.clip(
        np.rint(
            3.8
            + 0.5 * satisfaction
            + _CSAT_STAGE[stage]
            + _CSAT_TOUCHPOINT[touchpoint]
            + _CSAT_FAILURE * ~success
            + 0.7 * rng.standard_normal(total)
        ),
        1,
        5,
    )
    ces = np.clip(
        np.rint(
            3.0
            - 0.4 * satisfaction
            + _CES_STAGE[stage]
            + _CES_TOUCHPOINT[touchpoint]
            + 0.9 * ~success
            + 0.9 * rng.standard_normal(total)
        ),
        1,
        7,
    )
    csat[rng.random(total) < 0.25] = np.nan  # not every event is surveyed
    ces[rng.random(total) < 0.40] = np.nan
    duration = np.round(
        _DURATION_MEDIAN_S[touchpoint] * np.exp(0.6 * rng.standard_normal(total)) * np.where(success, 1.0, 1.4), 1
    )

    order = np.lexsort((np.arange(total), owner, minute))
    person = who[owner][order]
    return pd.DataFrame(
        {
            "event_id": _str(_ids("E", np.arange(1, total + 1), 7)),
            "customer_id": _str(customers["customer_id"].take(pa.array(person))),
            "occurred_at": _str(_iso(minute[order])),
            "journey_stage": _str(_take(_STAGES, stage[order])),
            "touchpoint": _str(_take(TOUCHPOINTS, touchpoint[order])),
            "channel": _str(_take(CHANNELS, channel[order])),
            "segment": _str(_take(_SEGMENTS, customers["segment"][person])),
            "csat": pd.array(csat[order], dtype="Int64"),
            "ces": pd.array(ces[order], dtype="Int64"),
            "success": success[order],
            "duration_s": duration[order],
        }
    )


# ======================================================================================
# Files
# ======================================================================================

# Fixed decimals for the float columns, so files never depend on float repr.
_DECIMALS = {"tenure_months": 2, "monthly_revenue": 2, "duration_s": 1}


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """Plain UTF-8 CSV with a header and ``\\n`` line ends: booleans as ``true``/``false``,
    missing values as empty fields, a field quoted only when it holds a comma, a quote or a
    line break (as :mod:`csv` does). Built with Arrow compute, so millions of rows are
    quick."""
    header = pa.array([",".join(frame.columns)], pa.large_string())
    rows = (
        _join(*(_csv_cells(frame[column]) for column in frame.columns), sep=",")
        if len(frame)
        else pa.array([], pa.large_string())
    )
    # one join of [header, rows..., ""] gives the whole file with a final line end
    lines = pa.concat_arrays([header, rows.cast(pa.large_string()), pa.array([""], pa.large_string())])
    whole = pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines)
    newline = pa.scalar("\n", pa.large_string())
    return cast(bytes, pc.binary_join(whole, newline).cast(pa.large_binary())[0].as_py())


def _csv_cells(column: pd.Series) -> pa.Array:
    """One column as CSV fields (Arrow strings without nulls)."""
    if column.dtype == bool:
        cells = pc.if_else(pa.array(column.to_numpy()), "true", "false")
    elif column.name in _DECIMALS:
        cells = _fixed_point(column.to_numpy(dtype=float), _DECIMALS[column.name])
    elif pd.api.types.is_integer_dtype(column.dtype):
        cells = pc.cast(_arrow(column), pa.string())
    else:
        text = _arrow(column)
        quoted = _join('"', pc.replace_substring(text, '"', '""'), '"')
        cells = pc.if_else(pc.match_substring_regex(text, '[",\r\n]'), quoted, text)
    return pc.fill_null(cells, "")


def _arrow(column: pd.Series) -> pa.Array:
    values = pa.array(column)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _fixed_point(values: npt.NDArray[np.float64], decimals: int) -> pa.Array:
    """Non-negative floats with exactly ``decimals`` decimals (NaN -> null)."""
    missing = np.isnan(values)
    scaled = np.rint(np.where(missing, 0.0, values) * 10**decimals).astype(np.int64)
    whole, part = np.divmod(scaled, 10**decimals)
    text = _join(
        pc.cast(pa.array(whole), pa.string()),
        pc.utf8_lpad(pc.cast(pa.array(part), pa.string()), decimals, padding="0"),
        sep=".",
    )
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)


def _file_bytes(sample: _Sample) -> dict[str, bytes]:
    files = {}
    for table in ("feedback", "reviews", "customers", "journey"):
        files[f"{table}.csv"] = _csv_bytes(sample.tables[table])
    files["truth/review_templates.csv"] = _csv_bytes(sample.tables["review_templates"])
    return files


# ======================================================================================
# Truth
# ======================================================================================


def _lmg_shares(cov: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float]:
    """Exact LMG (Shapley) decomposition of R^2 from a covariance matrix whose last row
    and column are the target: the average gain in R^2 from adding each predictor, over
    all orders in which predictors can enter."""
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    k = corr.shape[0] - 1
    rxx, rxy = corr[:k, :k], corr[:k, k]
    r2 = np.zeros(1 << k)
    for mask in range(1, 1 << k):
        idx = [i for i in range(k) if mask >> i & 1]
        r2[mask] = rxy[idx] @ np.linalg.solve(rxx[np.ix_(idx, idx)], rxy[idx])
    importance = np.zeros(k)
    for mask in range(1 << k):
        size = bin(mask).count("1")
        if size == k:
            continue
        weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
        for i in range(k):
            if not mask >> i & 1:
                importance[i] += weight * (r2[mask | 1 << i] - r2[mask])
    return importance / importance.sum(), float(r2[-1])


@lru_cache(maxsize=1)
def _population() -> dict[str, Any]:
    """Population values of the survey model, from a million simulated responses."""
    rng = np.random.default_rng(_POPULATION_SEED)
    ratings = _driver_ratings(rng, rng.standard_normal(_POPULATION_DRAWS))
    score = _nps_score(rng, ratings, 0.0)
    nps = np.clip(np.rint(score), 0, 10)
    shares, r2 = _lmg_shares(np.cov(np.column_stack([ratings, nps]), rowvar=False))
    by_month = {}
    for month in MONTHS:
        shifted = np.clip(np.rint(score + _NPS_MONTH_SHIFT.get(month, 0.0)), 0, 10)
        by_month[month] = 100 * (np.mean(shifted >= 9) - np.mean(shifted <= 6))
    return {"shares": dict(zip(DRIVERS, shares)), "r2": r2, "nps_by_month": by_month}


def _r(value: SupportsFloat, digits: int = 4) -> float:
    return round(float(value), digits)


def _nps_value(scores: npt.ArrayLike) -> float:
    scores = np.asarray(scores)
    # np.float64, a float; the stubs type np.mean of a bool array as floating[Any]
    return cast(float, 100 * (np.mean(scores >= 9) - np.mean(scores <= 6)))


def _truth_from_sample(sample: _Sample, files: dict[str, bytes]) -> dict[str, Any]:
    tables, facts = sample.tables, sample.facts
    feedback = tables["feedback"].iloc[facts["feedback_valid_rows"]]
    reviews = tables["reviews"].iloc[facts["reviews_valid_rows"]]
    customers, journey = tables["customers"], tables["journey"]
    population = _population()
    order = sorted(DRIVERS, key=lambda d: -_DRIVER_WEIGHTS[d])

    month = feedback["responded_at"].str.slice(0, 7)
    complete = feedback.dropna(subset=list(DRIVERS))  # listwise deletion
    by_month_order = {}
    for m in MONTHS:
        rows = complete[complete["responded_at"].str.startswith(m)]
        values = rows[list(DRIVERS) + ["nps"]].to_numpy(dtype=float)
        if len(values) > len(DRIVERS) + 1:
            shares, _ = _lmg_shares(np.cov(values, rowvar=False))
            by_month_order[m] = [DRIVERS[i] for i in np.argsort(-shares, kind="stable")]
    nps_by_month = {m: _r(_nps_value(feedback.loc[month == m, "nps"]), 2) for m in MONTHS}
    drop = _NPS_DROP_MONTH
    before = MONTHS[MONTHS.index(drop) - 1]

    def lowest(frame: pd.DataFrame, by: str, metric: str) -> tuple[dict[Hashable, float], str]:
        means = frame.groupby(by)[metric].mean()
        return {k: _r(v) for k, v in means.items()}, str(means.idxmin())

    csat_stage, low_stage = lowest(feedback, "journey_stage", "csat")
    csat_touch, low_touch = lowest(feedback, "touchpoint", "csat")
    j_stage, j_low_stage = lowest(journey, "journey_stage", "csat")
    j_touch, j_low_touch = lowest(journey, "touchpoint", "csat")
    success = journey.groupby("touchpoint")["success"].mean()

    templates = tables["review_templates"].set_index("review_id")["template_id"]
    review_template = templates.loc[reviews["review_id"]].to_numpy()
    sentiment_of = {t["id"]: t["sentiment"] for t in REVIEW_TEMPLATES}
    theme_of = {t["id"]: t["theme"] for t in REVIEW_TEMPLATES}
    review_sentiment = pd.Series([sentiment_of[t] for t in review_template], index=reviews.index)
    review_theme = pd.Series([theme_of[t] for t in review_template], index=reviews.index)
    review_month = reviews["published_at"].str.slice(0, 7)
    emerging = (review_sentiment == _EMERGING["sentiment"]) & (review_theme == _EMERGING["theme"])

    reached = journey.groupby("journey_stage")["customer_id"].nunique().reindex(_STAGES)
    funnel_realised = {f"{a}->{b}": _r(reached[b] / reached[a]) for a, b in itertools.pairwise(_STAGES)}

    bad_rows = {
        "feedback": {
            kind: {"count": len(ids), "ids": ids, "description": _BAD_DESCRIPTION[kind]}
            for kind, ids in facts["bad_feedback"].items()
        },
        "reviews": {
            kind: {"count": len(ids), "ids": ids, "description": _BAD_DESCRIPTION[kind]}
            for kind, ids in facts["bad_reviews"].items()
        },
    }
    row_counts = {
        "customers": {"rows": len(customers), "valid": len(customers)},
        "feedback": {"rows": len(tables["feedback"]), "valid": len(feedback)},
        "reviews": {"rows": len(tables["reviews"]), "valid": len(reviews)},
        "journey": {"rows": len(journey), "valid": len(journey), "customers": int(journey["customer_id"].nunique())},
    }
    return {
        "seed": sample.seed,
        "scale": sample.scale,
        **({"rows": {t: _BASE_ROWS[t] * s for t, s in sample.scales.items()}} if sample.scales else {}),
        "regenerate": REGENERATE_COMMAND
        if (sample.seed, sample.scale, sample.scales) == (DEFAULT_SEED, 1.0, {})
        else f"cxkit sample --seed {sample.seed} --scale {sample.scale}"
        + "".join(f" --rows {t}={round(_BASE_ROWS[t] * s)}" for t, s in sample.scales.items())
        + " --out <folder>",
        "months": list(MONTHS),
        "observation_window": {
            "start": "2025-11-01T00:00:00",
            "end": "2026-11-01T00:00:00",
            "note": "end is exclusive (the end of 2026-10-31); tenure_months counts months "
            "of 30.4375 days from signup_at to churned_at, or to the window end",
        },
        "row_counts": row_counts,
        "files": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()
        },
        "drivers": list(DRIVERS),
        "driver_weights": {d: _DRIVER_WEIGHTS[d] for d in order},
        "driver_order": order,
        "expected_lmg_shares": {d: _r(population["shares"][d]) for d in order},
        "expected_lmg_r2": _r(population["r2"]),
        "expected_lmg_note": (
            f"exact LMG/Shapley shares of R^2 (nps on the eight drivers, OLS) in the "
            f"population of the generator, from {_POPULATION_DRAWS:,} simulated responses of "
            f"one month without an NPS shift; Monte Carlo error < 0.001"
        ),
        "nps_model": {
            "formula": "nps = clip(round(intercept + sum(weight * rating) + month_shift + noise), 0, 10)",
            "intercept": _NPS_INTERCEPT,
            "noise_sd": _NPS_NOISE,
            "driver_means": dict(_DRIVER_MEANS),
            "driver_loading": _DRIVER_LOADING,
            "driver_noise_sd": _DRIVER_NOISE,
            "customer_share": _CUSTOMER_SHARE,
            "month_shift": dict(_NPS_MONTH_SHIFT),
        },
        "driver_order_by_month": by_month_order,
        "driver_order_months_recovered": sum(o == order for o in by_month_order.values()),
        "driver_rating_means": {d: _r(feedback[d].mean()) for d in DRIVERS},
        "lowest_rated_driver": min(DRIVERS, key=lambda d: feedback[d].mean()),
        "nps_by_month": nps_by_month,
        "nps_n_by_month": {m: int((month == m).sum()) for m in MONTHS},
        "nps_expected_by_month": {m: _r(v, 2) for m, v in population["nps_by_month"].items()},
        "nps_drop_month": drop,
        "nps_drop_points": _r(nps_by_month[before] - nps_by_month[drop], 2),
        "lowest_stage": "decision",
        "lowest_touchpoint": "billing",
        "csat_by_stage": csat_stage,
        "csat_by_touchpoint": csat_touch,
        "churn_formula": _CHURN_FORMULA,
        "churn_coefficients": dict(_CHURN_COEFFICIENTS),
        "churn_detractor_rule": _DETRACTOR_RULE,
        "detractor_odds_ratio": _r(math.exp(_CHURN_COEFFICIENTS["detractor"])),
        "churn_timing": (
            f"a churner leaves an exponential time (mean {_CHURN_DELAY_DAYS} days, cut off at "
            "the window end) after their first survey response, or at a uniform time in the "
            "window when they never responded; tenure_months ends at churned_at"
        ),
        "churn_rate": _r(customers["churned"].mean()),
        "churned_customers": int(customers["churned"].sum()),
        "detractor_customers": facts["detractor_customers"],
        "review_templates": [dict(t) for t in REVIEW_TEMPLATES],
        "review_slots": {k: list(v) for k, v in _SLOTS.items()},
        "review_stars_given_sentiment": {
            s: dict(zip(["1", "2", "3", "4", "5"], map(float, _STARS_GIVEN_SENTIMENT[i])))
            for i, s in enumerate(_SENTIMENTS)
        },
        "review_rating_by_sentiment": {s: _r(reviews["rating"][review_sentiment == s].mean()) for s in _SENTIMENTS},
        "emerging_negative_theme": {
            "theme": _EMERGING["theme"],
            "sentiment": _EMERGING["sentiment"],
            "month": _EMERGING["month"],
            "weight_multiplier": _EMERGING["multiplier"],
            "counts_by_month": {m: int((emerging & (review_month == m)).sum()) for m in MONTHS},
        },
        "funnel_conversion": {
            "planted": dict(_FUNNEL_CONVERSION),
            "realised": funnel_realised,
            "customers_by_stage": {s: int(reached[s]) for s in _STAGES},
        },
        "journey": {
            "lowest_stage": j_low_stage,
            "lowest_touchpoint": j_low_touch,
            "lowest_success_touchpoint": _LOW_SUCCESS_TOUCHPOINT,
            "csat_by_stage": j_stage,
            "csat_by_touchpoint": j_touch,
            "success_by_touchpoint": {k: _r(v) for k, v in success.items()},
            "planted_success": dict(zip(TOUCHPOINTS, map(float, _SUCCESS_P))),
        },
        "bad_rows": bad_rows,
        "missing_driver_ratings": {
            "rows": facts["missing_driver_rows"],
            "cells": facts["missing_driver_cells"],
            "mechanism": "MCAR: 1-3 ratings blank in ~3% of rows",
        },
        "special_comments": {"pii": facts["pii_comment_ids"], "html": facts["html_comment_ids"]},
        "realised_lowest": {
            "feedback_stage": low_stage,
            "feedback_touchpoint": low_touch,
            "journey_stage": j_low_stage,
            "journey_touchpoint": j_low_touch,
        },
    }


_BAD_DESCRIPTION = {
    "nps_out_of_range": "copy of the previous row with a new response_id and nps 11",
    "unparseable_date": "copy of the previous row with a new response_id and a responded_at "
    "that is not a date (31/02/2026, n/a, 2026-02-30T10:15:00)",
    "duplicate_id": "exact copy of the previous row, same id; keep the first",
    "rating_out_of_range": "copy of the previous row with a new review_id and rating 0 or 6",
}


def _truth_json_bytes(facts: dict[str, Any]) -> bytes:
    return (json.dumps(facts, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _md_table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _truth_markdown(facts: dict[str, Any]) -> str:
    """TRUTH.md: the facts of truth.json in prose and tables."""
    weights, shares = facts["driver_weights"], facts["expected_lmg_shares"]
    means = facts["driver_rating_means"]
    months = facts["months"]
    churn = facts["churn_coefficients"]
    emerging = facts["emerging_negative_theme"]
    funnel = facts["funnel_conversion"]
    journey = facts["journey"]
    counts = facts["row_counts"]
    parts = [
        "# Sample data: the planted truth",
        "",
        "Synthetic customer-experience data made by `cxkit.data.sample` with seed "
        f"{facts['seed']} at scale {facts['scale']:g}. Every effect below was planted on "
        "purpose; the analyses in cxkit are tested on recovering it. The machine-readable "
        "version is `truth.json` (this file is generated from it). Regenerate both, "
        "byte-identical, with:",
        "",
        "```",
        facts["regenerate"],
        "```",
        "",
        f"Months: {months[0]} to {months[-1]} ({len(months)} calendar months; "
        f"{months[-1]} is the last complete month). Timestamps are ISO 8601, UTC-naive. "
        "Names, e-mails (example.com/.org/.net) and phone numbers are fake.",
        "",
        "## Files",
        "",
        _md_table(["table", "rows in file", "valid rows"], [[t, c["rows"], c["valid"]] for t, c in counts.items()]),
        "",
        "`truth/review_templates.csv` maps every `review_id` to the template that wrote it.",
        "",
        "## Key drivers of NPS (feedback)",
        "",
        "NPS (0-10) is a linear function of the eight driver ratings (1-10) plus noise, "
        "rounded and clipped: `" + facts["nps_model"]["formula"] + "` with intercept "
        f"{facts['nps_model']['intercept']} and noise sd {facts['nps_model']['noise_sd']}. "
        "The ratings share a factor (pairwise correlation about 0.2), partly each customer's "
        "lasting satisfaction. Expected shares are the population LMG (Shapley) "
        f"decomposition of R^2 (expected R^2 {facts['expected_lmg_r2']}). "
        "The order is the same in every month of the population; an exact LMG on one "
        "month of the sample (~2,000 responses, listwise deletion) finds it in "
        f"{facts['driver_order_months_recovered']} of {len(months)} months and a close "
        "order in the others (see `driver_order_by_month`).",
        "",
        _md_table(
            ["rank", "driver", "weight", "expected LMG share", "mean rating (sample)"],
            [[i + 1, d, weights[d], shares[d], means[d]] for i, d in enumerate(facts["driver_order"])],
        ),
        "",
        f"Lowest-rated driver: `{facts['lowest_rated_driver']}` (high performance gap, low "
        "importance). Driver ratings are missing completely at random in "
        f"{facts['missing_driver_ratings']['rows']} rows "
        f"({facts['missing_driver_ratings']['cells']} cells).",
        "",
        "## NPS by month",
        "",
        f"NPS drops in **{facts['nps_drop_month']}** by {facts['nps_drop_points']} points "
        "against the month before (a shift of the NPS score itself, not of a driver), then "
        "recovers partly. Sample values are computed from the valid rows.",
        "",
        _md_table(
            ["month", "n", "NPS (sample)", "NPS (expected)", "planted shift"],
            [
                [
                    m,
                    facts["nps_n_by_month"][m],
                    facts["nps_by_month"][m],
                    facts["nps_expected_by_month"][m],
                    facts["nps_model"]["month_shift"].get(m, 0),
                ]
                for m in months
            ],
        ),
        "",
        "## Stages and touchpoints",
        "",
        f"Mean CSAT is lowest at the stage **{facts['lowest_stage']}** and at the touchpoint "
        f"**{facts['lowest_touchpoint']}**, in feedback and in journey. In journey, task "
        f"success is lowest at **{journey['lowest_success_touchpoint']}**.",
        "",
        _md_table(
            ["stage", "feedback CSAT", "journey CSAT"],
            [[s, facts["csat_by_stage"][s], journey["csat_by_stage"][s]] for s in _STAGES],
        ),
        "",
        _md_table(
            ["touchpoint", "feedback CSAT", "journey CSAT", "journey success"],
            [
                [
                    t,
                    facts["csat_by_touchpoint"][t],
                    journey["csat_by_touchpoint"][t],
                    journey["success_by_touchpoint"][t],
                ]
                for t in TOUCHPOINTS
            ],
        ),
        "",
        "## Churn (customers)",
        "",
        "`churned ~ Bernoulli(logistic(linear predictor))` with the coefficients below, on "
        f"the columns of customers.csv plus `detractor`. Fit with `{facts['churn_formula']}`; "
        "each coefficient should fall inside its 95% confidence interval.",
        "",
        f"`detractor`: {facts['churn_detractor_rule']} Odds ratio of detractors against "
        f"promoters (and passives) at equal covariates: {facts['detractor_odds_ratio']}.",
        "",
        _md_table(
            ["term", "coefficient (log-odds)", "odds ratio"], [[f"`{t}`", b, _r(math.exp(b))] for t, b in churn.items()]
        ),
        "",
        f"Churn rate {facts['churn_rate']} ({facts['churned_customers']} customers); "
        f"{facts['detractor_customers']} customers are detractors by the rule above.",
        "",
        "## Reviews",
        "",
        f"{len(facts['review_templates'])} templates, one per language (en, da, nb, sv), theme "
        "and sentiment; slots are filled from `review_slots`. Star ratings follow the "
        "template's sentiment:",
        "",
        _md_table(
            ["sentiment", "P(1..5 stars)", "mean rating (sample)"],
            [
                [s, ", ".join(f"{v:g}" for v in p.values()), facts["review_rating_by_sentiment"][s]]
                for s, p in facts["review_stars_given_sentiment"].items()
            ],
        ),
        "",
        f"Emerging negative theme: **{emerging['theme']}** reviews with "
        f"{emerging['sentiment']} sentiment surge in **{emerging['month']}**:",
        "",
        _md_table(["month"] + [m[2:] for m in months], [["count"] + [emerging["counts_by_month"][m] for m in months]]),
        "",
        "## Journey funnel",
        "",
        _md_table(
            ["step", "planted conversion", "sample conversion"],
            [[k, v, funnel["realised"][k]] for k, v in funnel["planted"].items()],
        ),
        "",
        _md_table(["stage", "customers reaching it"], [[s, n] for s, n in funnel["customers_by_stage"].items()]),
        "",
        "## Rows that are not data",
        "",
        _md_table(
            ["table", "kind", "count", "ids", "what"],
            [
                [
                    table,
                    kind,
                    info["count"],
                    ", ".join(info["ids"][:12]) + (" ..." if len(info["ids"]) > 12 else ""),
                    info["description"],
                ]
                for table, kinds in facts["bad_rows"].items()
                for kind, info in kinds.items()
            ],
        ),
        "",
        "Comments with personal data (the customer's own phone or e-mail): "
        + ", ".join(facts["special_comments"]["pii"][:12])
        + ". Comments with HTML-looking text: "
        + ", ".join(facts["special_comments"]["html"][:12])
        + ".",
        "",
        _RESPONSE_BIAS_MD,
    ]
    return "\n".join(parts)


#: TRUTH.md's section on the opt-in response bias (text only: the bundled files are unbiased).
#: Its numbers are those of ``generate(response_bias=...)`` at the default seed and scale;
#: ``tests/test_weighting_bias.py`` checks them against the generator.
_RESPONSE_BIAS_MD = """## Opt-in: a planted response bias (not in these files)

The files above are an unbiased sample. `generate(response_bias={"segment": "Enterprise", "rate": 4.0,
"nps_shift": 3})` plants a known response bias in the feedback it returns: Enterprise customers score
3 points higher on the 0-10 question (kept within 0-10) and answer 4 times as often as the others (the
others' responses are kept with probability 1/4). The full responses before thinning are the
population; the returned `response_bias` table records, per month, the planted population NPS, the
population's segment shares (the margins to weight to) and the biased sample's size and NPS.
Enterprise is about 10% of the customers and a third of the biased responses, so the unweighted NPS
is 12 to 19 points too high; raking each month to its segment shares (`cx.rake`) recovers the
population NPS within its interval (`tests/test_weighting_bias.py`). Seed 20261, scale 1:

| month | population n | planted population NPS | biased responses | unweighted NPS (95% CI) | raked NPS (95% CI) | effective n |
|---|---|---|---|---|---|---|
| 2026-08 | 2006 | 15.0 | 688 | 27.0 (20.5 to 33.3) | 14.2 (6.9 to 21.3) | 580 |
| 2026-09 | 1996 | 19.2 | 678 | 37.8 (31.4 to 43.7) | 25.7 (18.5 to 32.6) | 555 |
| 2026-10 | 1987 | 25.1 | 665 | 39.5 (33.3 to 45.4) | 29.7 (22.5 to 36.4) | 536 |

Biased responses are those the reader accepts (one duplicate id of 2026-10 is rejected).
"""


if __name__ == "__main__":
    raise SystemExit(main())
