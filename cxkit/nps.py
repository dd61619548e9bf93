"""(In progress) see the issue for cxkit/nps.py."""

from __future__ import annotations

__all__: list[str] = []
