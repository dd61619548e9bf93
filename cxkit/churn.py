"""(In progress) see the issue for cxkit/churn.py."""

from __future__ import annotations

__all__: list[str] = []
