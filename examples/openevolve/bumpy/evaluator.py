"""Evaluator in the OpenEvolve layout: imports the candidate program itself,
calls run_search(), and returns an EvaluationResult (metrics + artifacts).
The cascade stages are defined but a plain evaluation never calls them."""

import importlib.util
import math

from openevolve.evaluation_result import EvaluationResult


def landscape(x, y):
    return (x - 0.7) ** 2 + (y + 0.3) ** 2 + 0.1 * math.sin(5 * x) ** 2


def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x, y = module.run_search()
    x, y = float(x), float(y)
    if not (math.isfinite(x) and math.isfinite(y)):
        return EvaluationResult(metrics={"combined_score": 0.0, "error": "non-finite point"})
    value = landscape(x, y)
    return EvaluationResult(
        metrics={"value": value, "combined_score": 1.0 / (1.0 + value)},
        artifacts={"point": f"({x:.6f}, {y:.6f})"},
    )


def evaluate_stage1(program_path):
    raise RuntimeError("cascade stage 1 was called; evoalloc runs evaluate() only")


def evaluate_stage2(program_path):
    raise RuntimeError("cascade stage 2 was called; evoalloc runs evaluate() only")
