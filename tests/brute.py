"""Brute-force references shared by the model tests (no linear programming, no optimiser)."""

from __future__ import annotations

from itertools import combinations

import numpy as np


def coordinates_moved_by_cone(rows: np.ndarray) -> np.ndarray:
    """Which coordinates of d the cone {d : rows @ d >= 0} lets move, by enumerating its rays.

    For a pointed cone (rows of full rank) every extreme ray makes p - 1 independent rows
    active: every (p - 1)-subset of rows is tried and its null vector kept when the cone holds
    it. A likelihood that never falls along d (separation in a logit, a monotone Cox partial
    likelihood) has no finite estimate for exactly the coordinates some ray moves.
    """
    p = rows.shape[1]
    if p == 1:
        rays = np.array([[1.0], [-1.0]])
    else:
        _, sv, vt = np.linalg.svd(rows[np.array(list(combinations(range(len(rows)), p - 1)))])  # all at once
        rays = vt[:, -1][sv[:, -1] > 1e-9]  # null vectors of p - 1 independent rows
        rays = np.concatenate([rays, -rays])
    inside = np.all(rays @ rows.T >= -1e-9, axis=1)
    return (np.abs(rays[inside]) > 1e-9).any(axis=0)
