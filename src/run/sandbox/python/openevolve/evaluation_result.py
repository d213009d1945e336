"""Stand-in for `openevolve.evaluation_result`: the result object an
OpenEvolve-style evaluator may return instead of a plain dict.

evoalloc reads `metrics` (the fitness is `metrics["combined_score"]`) and
ignores `artifacts`. Written for evoalloc; it only matches the interface
evaluators use: the two dicts, construction from and conversion to a dict.
"""

from dataclasses import dataclass, field
from typing import Any, Dict


@dataclass
class EvaluationResult:
    """Metrics (numbers, by name) and artifacts (anything else an evaluator wants to report)."""

    metrics: Dict[str, float]
    artifacts: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, metrics: Dict[str, float]) -> "EvaluationResult":
        return cls(metrics=dict(metrics))

    def to_dict(self) -> Dict[str, float]:
        return dict(self.metrics)

    def has_artifacts(self) -> bool:
        return bool(self.artifacts)

    def get_artifact_keys(self) -> list:
        return list(self.artifacts)
