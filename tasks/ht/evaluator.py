"""Evaluator of the Heilbronn-in-a-triangle task (11 points).

combined_score = (smallest triangle area over all triples / area of the
triangle) / 0.036529889880030156. Every point must lie inside the triangle
(0,0), (1,0), (0.5, sqrt(3)/2) within distance 1e-6; anything invalid scores 0
with an `error`. `strict_slack` is the smallest signed distance of a point to
the triangle's edges with no tolerance (negative: outside, inside the band).
"""

import importlib.util
import itertools
import math
import sys
import traceback

import numpy as np

N_POINTS = 11
BEST_KNOWN = 0.036529889880030156
TOL = 1e-6
SQRT3 = math.sqrt(3.0)
TRIANGLE_AREA = SQRT3 / 4.0


def _load(program_path):
    spec = importlib.util.spec_from_file_location("candidate_program", program_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that multiprocessing can pickle the program's functions
    spec.loader.exec_module(module)
    return module


def edge_margins(points):
    """Signed distance of each point to the three edges (positive inside)."""
    x, y = points[:, 0], points[:, 1]
    return np.column_stack([y, (SQRT3 * x - y) / 2.0, (SQRT3 * (1.0 - x) - y) / 2.0])


def check_points(points):
    """Returns (metrics, error or None)."""
    points = np.asarray(points, dtype=float)
    if points.shape != (N_POINTS, 2):
        return {}, f"points have shape {points.shape}, expected ({N_POINTS}, 2)"
    if not np.all(np.isfinite(points)):
        return {}, "points contain NaN or infinity"
    margins = edge_margins(points)
    slack = float(margins.min())
    min_area = math.inf
    for i, j, k in itertools.combinations(range(N_POINTS), 3):
        (ax, ay), (bx, by), (cx, cy) = points[i], points[j], points[k]
        area = abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) / 2.0
        min_area = min(min_area, float(area))
    normalised = min_area / TRIANGLE_AREA
    metrics = {
        "min_area": min_area,
        "min_area_normalised": normalised,
        "strict_slack": slack,
        "strictly_valid": slack >= 0,
    }
    if slack < -TOL:
        worst = int(np.argmin(margins.min(axis=1)))
        return metrics, f"point {worst} lies outside the triangle by {-slack:.3g}"
    return metrics, None


def evaluate(program_path):
    try:
        module = _load(program_path)
        fn = getattr(module, "heilbronn_triangle11", None)
        if fn is None:
            return {"combined_score": 0.0, "error": "no heilbronn_triangle11() defined"}
        metrics, error = check_points(fn())
    except Exception as exc:  # the candidate's own failure
        tb = traceback.format_exc(limit=-3)
        return {"combined_score": 0.0, "error": f"{type(exc).__name__}: {exc}\n{tb}"}
    if error is not None:
        return {**metrics, "combined_score": 0.0, "error": error}
    return {**metrics, "combined_score": metrics["min_area_normalised"] / BEST_KNOWN}
