"""Evaluator of the circle-packing task (26 circles in the unit square).

combined_score = sum of radii / 2.635 (AlphaEvolve's value). Containment and
non-overlap are checked with tolerance 1e-6; anything invalid scores 0 with an
`error`. `strict_slack` is the smallest constraint margin with no tolerance
(negative when the packing only passes inside the 1e-6 band).
"""

import importlib.util
import itertools
import math
import sys
import traceback

import numpy as np

N_CIRCLES = 26
BEST_KNOWN = 2.635
TOL = 1e-6


def _load(program_path):
    spec = importlib.util.spec_from_file_location("candidate_program", program_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that multiprocessing can pickle the program's functions
    spec.loader.exec_module(module)
    return module


def check_packing(centers, radii, reported_sum=None):
    """Returns (metrics, error or None) for a packing."""
    centers = np.asarray(centers, dtype=float)
    radii = np.asarray(radii, dtype=float)
    if centers.shape != (N_CIRCLES, 2):
        return {}, f"centers has shape {centers.shape}, expected ({N_CIRCLES}, 2)"
    if radii.shape != (N_CIRCLES,):
        return {}, f"radii has shape {radii.shape}, expected ({N_CIRCLES},)"
    if not (np.all(np.isfinite(centers)) and np.all(np.isfinite(radii))):
        return {}, "centers or radii contain NaN or infinity"
    total = float(np.sum(radii))
    margins = [float(np.min(radii))]
    x, y = centers[:, 0], centers[:, 1]
    margins.append(float(np.min(np.concatenate([x - radii, 1 - x - radii, y - radii, 1 - y - radii]))))
    worst_pair, worst_gap = None, math.inf
    for i, j in itertools.combinations(range(N_CIRCLES), 2):
        gap = math.hypot(x[i] - x[j], y[i] - y[j]) - radii[i] - radii[j]
        if gap < worst_gap:
            worst_pair, worst_gap = (i, j), gap
    margins.append(worst_gap)
    metrics = {"sum_radii": total, "strict_slack": min(margins), "strictly_valid": min(margins) >= 0}
    if margins[0] < -TOL:
        return metrics, f"negative radius {margins[0]:.3g}"
    if margins[1] < -TOL:
        return metrics, f"a circle leaves the unit square by {-margins[1]:.3g}"
    if worst_gap < -TOL:
        return metrics, f"circles {worst_pair[0]} and {worst_pair[1]} overlap by {-worst_gap:.3g}"
    if reported_sum is not None:
        try:
            reported = float(reported_sum)
        except (TypeError, ValueError):
            return metrics, f"reported sum {reported_sum!r} is not a number"
        if not abs(reported - total) <= TOL:
            return metrics, f"reported sum {reported:.9g} differs from the sum of radii {total:.9g}"
    return metrics, None


def evaluate(program_path):
    try:
        module = _load(program_path)
        fn = getattr(module, "run_packing", None) or getattr(module, "construct_packing", None)
        if fn is None:
            return {"combined_score": 0.0, "error": "no construct_packing() or run_packing() defined"}
        out = fn()
        if not isinstance(out, (tuple, list)) or len(out) < 2:
            return {"combined_score": 0.0, "error": "expected (centers, radii, sum_radii)"}
        metrics, error = check_packing(out[0], out[1], out[2] if len(out) > 2 else None)
    except Exception as exc:  # the candidate's own failure
        tb = traceback.format_exc(limit=-3)
        return {"combined_score": 0.0, "error": f"{type(exc).__name__}: {exc}\n{tb}"}
    if error is not None:
        return {**metrics, "combined_score": 0.0, "error": error}
    return {**metrics, "combined_score": metrics["sum_radii"] / BEST_KNOWN}
