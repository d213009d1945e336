import assert from "node:assert/strict";
import { test } from "node:test";
import { createExp3p } from "../src/policies/exp3p.ts";
import {
  createPolicy,
  fallbackArm,
  halvingSchedule,
  POLICIES,
  PolicyError,
  parsePolicyParams,
  resolveParams,
  rsrSchedule,
} from "../src/policies/index.ts";
import type { Policy } from "../src/policies/policy.ts";
import { rng } from "../src/util/rng.ts";
import { StreamRng } from "../src/util/stream-rng.ts";

/** Runs `policy` for `rounds` rounds where arm i's n-th reward is rewardOf(i, n) (n from 1). */
function drive(policy: Policy, rounds: number, rewardOf: (arm: number, n: number) => number): number[] {
  const pulls = new Map<number, number>();
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const arm = policy.select();
    const n = (pulls.get(arm) ?? 0) + 1;
    pulls.set(arm, n);
    policy.update(arm, rewardOf(arm, n));
    out.push(arm);
  }
  return out;
}

const ctx = (nArms: number, horizon: number, seed = 0) => ({ nArms, horizon, rng: rng(seed) });

test("ucb: hand-worked sequence on constant rewards 0.5 and 0.2", () => {
  // t=2: 0.5+√2·√(ln2/1)=1.677 vs 0.2+1.177=1.377 → 0
  // t=3: 0.5+√2·√(ln3/2)=1.548 vs 0.2+√2·√(ln3)=1.682 → 1
  // t=4: 0.5+√2·√(ln4/2)=1.677 vs 0.2+√2·√(ln4/2)=1.377 → 0
  // t=5: 0.5+√2·√(ln5/3)=1.536 vs 0.2+√2·√(ln5/2)=1.469 → 0
  // t=6: 0.5+√2·√(ln6/4)=1.447 vs 0.2+√2·√(ln6/2)=1.539 → 1
  const seq = drive(createPolicy("ucb", ctx(2, 7)), 7, (arm) => (arm === 0 ? 0.5 : 0.2));
  assert.deepEqual(seq, [0, 1, 0, 1, 0, 0, 1]);
});

test("ucb: reproduces the reference bandit run (cp/llama-8b, C64 T16 K5 seed0) bit for bit", () => {
  // selections and rewards of /work/shared/samples/bandit/cp/llama-8b/ucb_C64_T16_K5_seed0.json
  const selections = [0, 1, 2, 3, 4, 3, 1, 2, 4, 0, 3, 1, 2, 4, 0, 1];
  const rewards = [
    0.3920597909170251, 0.5030624805745, 0.4116425382914928, 0.5246336435914006, 0.3928958271557921,
    0.5267276897979823, 0.5334967804337162, 0.48274870426052674, 0.40048102506662375, 0.3946688029969429,
    0.5289359902696956, 0.5649994920146373, 0.506012262108003, 0.409774249249516, 0.42471786636686604,
    0.5893917930273039,
  ];
  const p = createPolicy("ucb", ctx(5, 16));
  const got: number[] = [];
  for (let r = 0; r < 16; r++) {
    got.push(p.select());
    p.update(selections[r]!, rewards[r]!);
  }
  assert.deepEqual(got, selections);
});

test("ucb, leader, thompson(σ=0): ties go to the lowest index", () => {
  assert.deepEqual(
    drive(createPolicy("ucb", ctx(3, 6)), 6, () => 0.3),
    [0, 1, 2, 0, 1, 2],
  );
  assert.deepEqual(
    drive(createPolicy("leader", ctx(3, 6)), 6, () => 0.3),
    [0, 1, 2, 0, 0, 0],
  );
  const th = createPolicy("thompson", ctx(3, 3), { sigma: 0 });
  assert.equal(th.select(), 0);
});

test("leader follows the best best-so-far", () => {
  const seq = drive(
    createPolicy("leader", ctx(3, 6)),
    6,
    (arm, n) => [0.2, 0.5, 0.4][arm]! + (arm === 2 ? n : 0),
  );
  // after one pull each: 0.2, 0.5, 1.4 → arm 2 forever (it keeps rising)
  assert.deepEqual(seq, [0, 1, 2, 2, 2, 2]);
});

test("thompson with σ = 0 picks the posterior-mean argmax", () => {
  // μ_i = (1·0.5 + Σr)/(1 + n): arm 0 gets 0.9 → 0.7, arm 1 gets 0.1 → 0.3, arm 2 unpulled → 0.5
  const p = createPolicy("thompson", ctx(3, 10), { sigma: 0 });
  p.update(0, 0.9);
  p.update(1, 0.1);
  assert.equal(p.select(), 0);
  p.update(0, 0); // (0.5 + 0.9)/3 = 0.4667 < 0.5
  assert.equal(p.select(), 2);
});

test("exp3p: weights and probabilities after known updates", () => {
  const p = createExp3p(ctx(2, 10), { eta: 0.07, gamma: 0.1 });
  assert.deepEqual(p.probabilities(), [0.5, 0.5]);
  p.update(0, 1); // p0 = 0.5 → w0 = exp(0.07·1/(0.5 + 0.025))
  const w0 = Math.exp(0.07 / 0.525);
  assert.ok(Math.abs(p.weights()[0]! - w0) < 1e-15);
  p.update(1, 0.5); // p1 = 0.9·1/(w0+1) + 0.05
  const p1 = (0.9 * 1) / (w0 + 1) + 0.05;
  const w1 = Math.exp((0.07 * 0.5) / (p1 + 0.025));
  assert.ok(Math.abs(p.weights()[1]! - w1) < 1e-15);
  p.update(1, 7); // clipped to 1
  const p1b = (0.9 * w1) / (w0 + w1) + 0.05;
  assert.ok(Math.abs(p.weights()[1]! - w1 * Math.exp(0.07 / (p1b + 0.025))) < 1e-12);
  const before = p.weights();
  p.update(0, -3); // clipped to 0: unchanged
  p.update(0, Number.NaN);
  assert.deepEqual(p.weights(), before);
  const probs = p.probabilities();
  assert.ok(Math.abs(probs[0]! + probs[1]! - 1) < 1e-12);
  assert.ok(probs[1]! > probs[0]!);
});

test("exp3p: long horizons stay finite and sampling follows p", () => {
  const p = createExp3p(ctx(3, 10000, 5), { eta: 0.07, gamma: 0.1 });
  for (let i = 0; i < 5000; i++) p.update(0, 1);
  const probs = p.probabilities();
  assert.ok(probs.every(Number.isFinite));
  assert.ok(Math.abs(probs[0]! - (0.9 + 0.1 / 3)) < 1e-9);
  let zeros = 0;
  for (let i = 0; i < 3000; i++) if (p.select() === 0) zeros++;
  assert.ok(zeros / 3000 > 0.9 && zeros / 3000 < 0.97, `share of arm 0 ${zeros / 3000}`);
});

test("random is uniform and reproducible", () => {
  const a = drive(createPolicy("random", ctx(4, 400, 3)), 400, () => 0);
  const b = drive(createPolicy("random", ctx(4, 400, 3)), 400, () => 0);
  assert.deepEqual(a, b);
  for (let i = 0; i < 4; i++) {
    const c = a.filter((x) => x === i).length;
    assert.ok(c > 60 && c < 140, `arm ${i}: ${c}`);
  }
});

test("halving and rsr schedules add up to G", () => {
  for (let k = 1; k <= 12; k++) {
    for (const g of [k, k + 1, 2 * k + 3, 16, 64, 100, 257]) {
      if (g < k) continue;
      const h = halvingSchedule(k, g);
      assert.equal(h.lengths.reduce((a, b) => a + b, 0) + h.rest, g, `halving K=${k} G=${g}`);
      assert.equal(h.lengths.length, k <= 1 ? 0 : Math.ceil(Math.log2(k)));
      const r = rsrSchedule(k, g);
      assert.equal(r.lengths.reduce((a, b) => a + b, 0) + r.rest, g, `rsr K=${k} G=${g}`);
      assert.equal(r.lengths.length, Math.max(0, k - 1));
      for (const [j, len] of r.lengths.entries()) assert.equal(len % r.survivors[j]!, 0);
    }
  }
  assert.deepEqual(halvingSchedule(4, 10), { lengths: [4, 4], survivors: [4, 2], rest: 2 });
  assert.deepEqual(rsrSchedule(3, 12), { lengths: [9, 2], survivors: [3, 2], rest: 1 });
});

test("halving: round-robin, keep the better half by best-so-far, rest to the winner", () => {
  // K=4, G=18: phases 2; phase 1: ⌊18/8⌋=2 pulls each (8 rounds), phase 2: ⌊18/4⌋=4 each (8), rest 2
  const levels = [0.1, 0.4, 0.3, 0.2];
  const seq = drive(createPolicy("halving", ctx(4, 18)), 18, (arm, n) => levels[arm]! + 0.01 * n);
  assert.deepEqual(seq, [0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]);
});

test("rsr: drops the arm with the lowest recent mean each phase", () => {
  // K=3, G=12: phase 1 (3 arms × 3 pulls), drop the worst; phase 2 (2 arms × 1 pull), drop; rest 1
  const levels = [0.5, 0.2, 0.6];
  const seq = drive(createPolicy("rsr", ctx(3, 12)), 12, (arm) => levels[arm]!);
  assert.deepEqual(seq, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 2, 2]);
  // ties: the higher index is dropped
  const tie = drive(createPolicy("rsr", ctx(2, 4)), 4, () => 0.5);
  assert.equal(tie[tie.length - 1], 0);
});

test("rucbe: arms with < 2 pulls first, then the projected index", () => {
  const p = createPolicy("rucbe", ctx(2, 20), { sigma: 0, a: 1, eps: 0.25 });
  // arm 0 flat at 0.5, arm 1 rising 0.1 per pull from 0.1: projection favours arm 1
  const seq = drive(p, 6, (arm, n) => (arm === 0 ? 0.5 : 0.1 * n));
  assert.deepEqual(seq.slice(0, 4), [0, 0, 1, 1]);
  assert.equal(seq[4], 1);
  // hand check at t=4, arm 1 (n=2, h=1): 0.2 + (20−4)·(0.2−0.1)/1 = 1.8 > arm 0: 0.5
});

test("elim: drops an arm whose projected upper bound is below another's best", () => {
  const seq = drive(createPolicy("elim", ctx(3, 30)), 12, (arm) => [0.1, 0.9, 0.5][arm]!);
  // round-robin until every arm has 2 flat rewards (ω = 0): u0 = 0.1, u2 = 0.5 < l1 = 0.9 → both dropped
  assert.deepEqual(seq, [0, 1, 2, 0, 1, 2, 1, 1, 1, 1, 1, 1]);
});

test("every policy handles K = 1 and stays in range", () => {
  for (const name of Object.keys(POLICIES)) {
    const one = drive(createPolicy(name, ctx(1, 10)), 10, (_a, n) => n / 10);
    assert.deepEqual(one, Array(10).fill(0), name);
    const many = drive(createPolicy(name, ctx(7, 40, 9)), 40, (a, n) => Math.min(1, (a + 1) * n * 0.01));
    assert.ok(
      many.every((a) => Number.isInteger(a) && a >= 0 && a < 7),
      name,
    );
  }
});

test("registry: defaults, overrides, unknown names and keys", () => {
  assert.deepEqual(resolveParams("ucb"), { c: Math.SQRT2 });
  assert.deepEqual(resolveParams("exp3p", { eta: 0.1 }), { eta: 0.1, gamma: 0.1 });
  assert.throws(
    () => createPolicy("nope", ctx(2, 2)),
    (e: Error) => e instanceof PolicyError && /ucb, exp3p/.test(e.message),
  );
  assert.throws(() => resolveParams("ucb", { d: 1 }), /unknown parameter "ucb.d" \(ucb has ucb.c\)/);
  assert.throws(() => resolveParams("exp3p", { gamma: 2 }), /gamma must be in/);
  assert.throws(() => resolveParams("elim", { window: 1.5 }), /window/);
  assert.deepEqual(parsePolicyParams(["ucb.c=1", "exp3p.gamma=0.2", "exp3p.eta=0.05"]), {
    ucb: { c: 1 },
    exp3p: { gamma: 0.2, eta: 0.05 },
  });
  assert.throws(() => parsePolicyParams(["ucb=1"]), /POLICY.KEY=VALUE/);
  assert.throws(() => parsePolicyParams(["ucb.c=abc"]), /finite number/);
  assert.throws(() => parsePolicyParams(["random.x=1"]), /random has no parameters/);
});

test("reset: a reset policy (its RNG reseeded) decides exactly like a fresh one", () => {
  for (const name of Object.keys(POLICIES)) {
    const rewardOf = (a: number, n: number) => Math.min(1, 0.1 * (a + 1) + 0.03 * n * ((a * 7) % 3));
    const fresh = drive(createPolicy(name, { nArms: 5, horizon: 30, rng: new StreamRng(4) }), 30, rewardOf);
    const stream = new StreamRng(9, 9);
    const reused = createPolicy(name, { nArms: 5, horizon: 30, rng: stream });
    drive(reused, 17, rewardOf);
    assert.ok(reused.reset, `${name} has reset`);
    stream.reseed(4);
    reused.reset!();
    assert.deepEqual(drive(reused, 30, rewardOf), fresh, name);
  }
});

test("halving: the documented K = 2, G = 5 example", () => {
  const seq = drive(createPolicy("halving", ctx(2, 5)), 5, (arm) => [0.3, 0.6][arm]!);
  assert.deepEqual(seq, [0, 1, 0, 1, 1]);
});

test("fallbackArm: fewest pulls among the arms under their cap, lowest index on ties, -1 when none", () => {
  assert.equal(fallbackArm([3, 1, 1], 5), 1);
  assert.equal(fallbackArm([3, 1, 1], [5, 1, 5]), 2); // arm 1 is at its cap
  assert.equal(fallbackArm(Int32Array.from([2, 4, 3]), Int32Array.from([2, 9, 9])), 2);
  assert.equal(fallbackArm([1, 1], 1), -1);
  assert.equal(fallbackArm([], 3), -1);
});
