"""Evaluator of the min/max distance task (16 points in 2D).

combined_score = (d_min / d_max)^2 / (1 / 12.889266112), the best known ratio.
Points closer than the tolerance 1e-6 count as coincident (invalid: 0 with an
`error`). `strict_slack` is the smallest constraint margin with no tolerance:
here d_min itself (points must be distinct).
"""

import importlib.util
import sys
import traceback

import numpy as np
from scipy.spatial.distance import pdist

N_POINTS = 16
BEST_KNOWN_INVERSE = 12.889266112
TOL = 1e-6


def _load(program_path):
    spec = importlib.util.spec_from_file_location("candidate_program", program_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that multiprocessing can pickle the program's functions
    spec.loader.exec_module(module)
    return module


def check_points(points):
    """Returns (metrics, error or None)."""
    points = np.asarray(points, dtype=float)
    if points.shape != (N_POINTS, 2):
        return {}, f"points have shape {points.shape}, expected ({N_POINTS}, 2)"
    if not np.all(np.isfinite(points)):
        return {}, "points contain NaN or infinity"
    d = pdist(points)
    d_min, d_max = float(d.min()), float(d.max())
    metrics = {"d_min": d_min, "d_max": d_max, "strict_slack": d_min, "strictly_valid": d_min > 0}
    if d_min <= TOL:
        return metrics, f"two points coincide (distance {d_min:.3g})"
    ratio_sq = (d_min / d_max) ** 2
    metrics["ratio_squared"] = ratio_sq
    return metrics, None


def evaluate(program_path):
    try:
        module = _load(program_path)
        fn = getattr(module, "min_max_dist_dim2_16", None)
        if fn is None:
            return {"combined_score": 0.0, "error": "no min_max_dist_dim2_16() defined"}
        metrics, error = check_points(fn())
    except Exception as exc:  # the candidate's own failure
        tb = traceback.format_exc(limit=-3)
        return {"combined_score": 0.0, "error": f"{type(exc).__name__}: {exc}\n{tb}"}
    if error is not None:
        return {**metrics, "combined_score": 0.0, "error": error}
    return {**metrics, "combined_score": metrics["ratio_squared"] * BEST_KNOWN_INVERSE}
