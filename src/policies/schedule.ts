/**
 * Fixed phase schedules of the budget-aware elimination policies
 * (`halving`, `rsr`): how many rounds each phase lasts and how many arms
 * survive into it. Pure arithmetic, shared by the policies and their tests.
 */

export interface PhaseSchedule {
  /** Rounds of each phase (survivors[i] · per-arm pulls of phase i). */
  lengths: number[];
  /** Arms alive during each phase. */
  survivors: number[];
  /** Rounds left after the last phase, all given to the last survivor. */
  rest: number;
}

/**
 * Sequential halving (Karnin, Koren & Somekh 2013) for K arms and G rounds:
 * ⌈log2 K⌉ phases; in phase i each of the s_i survivors gets ⌊G/(s_i·phases)⌋
 * pulls, then ⌈s_i/2⌉ survive. Phase lengths plus `rest` add up to G.
 *
 * @example halvingSchedule(4, 10) // => { lengths: [4, 4], survivors: [4, 2], rest: 2 }
 */
export function halvingSchedule(k: number, g: number): PhaseSchedule {
  const phases = k <= 1 ? 0 : Math.ceil(Math.log2(k));
  const lengths: number[] = [];
  const survivors: number[] = [];
  let s = k;
  let used = 0;
  for (let i = 0; i < phases; i++) {
    const per = Math.floor(g / (s * phases));
    lengths.push(s * per);
    survivors.push(s);
    used += s * per;
    s = Math.ceil(s / 2);
  }
  return { lengths, survivors, rest: Math.max(0, g - used) };
}

/** logbar(K) = 1/2 + Σ_{i=2..K} 1/i (Audibert, Bubeck & Munos 2010). */
export function logBar(k: number): number {
  let s = 0.5;
  for (let i = 2; i <= k; i++) s += 1 / i;
  return s;
}

/**
 * Successive rejects (Audibert, Bubeck & Munos 2010; rising version, Mussi
 * et al. 2024) for K arms and G rounds: K−1 phases; in phase j the K+1−j
 * survivors are each pulled up to n_j = ⌈(G − K)/(logbar(K)·(K+1−j))⌉ pulls
 * in total (at least 1), then one arm is rejected; the last arm takes what
 * is left. For G ≥ K, lengths plus `rest` add up to exactly G.
 *
 * @example rsrSchedule(3, 12) // => { lengths: [9, 2], survivors: [3, 2], rest: 1 }
 */
export function rsrSchedule(k: number, g: number): PhaseSchedule {
  const lengths: number[] = [];
  const survivors: number[] = [];
  const lb = logBar(k);
  let prev = 0;
  let used = 0;
  for (let j = 1; j < k; j++) {
    const target = Math.max(1, Math.ceil((g - k) / (lb * (k + 1 - j))), prev);
    const s = k + 1 - j;
    lengths.push(s * (target - prev));
    survivors.push(s);
    used += s * (target - prev);
    prev = target;
  }
  return { lengths, survivors, rest: Math.max(0, g - used) };
}
