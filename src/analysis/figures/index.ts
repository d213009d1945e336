/** Every figure of the report, in page order. */
import { banditRunningBest, banditSelections } from "./bandit.ts";
import { bilinearCoefficients, bilinearObserved } from "./bilinear.ts";
import { callOutcomes } from "./call-outcomes.ts";
import { effectsFigure, kAblationFigure } from "./effects.ts";
import { envelopeCalls, envelopeCollapse, envelopeFlops } from "./envelope.ts";
import type { Figure } from "./figure.ts";
import { fitnessVsBudget } from "./fitness-vs-budget.ts";
import { heatmap } from "./heatmap.ts";
import { learningCurvesFigure } from "./learning-curves.ts";
import { phiFigure } from "./phi.ts";
import { expectedMax, reliability } from "./reliability.ts";
import { replayOutcomes, replayPulls } from "./replay.ts";
import { replayForest, replayRegret } from "./replay-forest.ts";
import { thresholdFigure } from "./threshold.ts";

export type { Figure, FigureData, Row } from "./figure.ts";

export const FIGURES: readonly Figure[] = [
  heatmap,
  fitnessVsBudget,
  envelopeFlops,
  envelopeCalls,
  envelopeCollapse,
  phiFigure,
  bilinearObserved,
  bilinearCoefficients,
  learningCurvesFigure,
  reliability,
  expectedMax,
  callOutcomes,
  replayForest,
  replayRegret,
  replayOutcomes,
  replayPulls,
  thresholdFigure,
  effectsFigure,
  kAblationFigure,
  banditRunningBest,
  banditSelections,
];
