/**
 * `--rng python` against CPython run here (python3 is on every machine):
 * random(), getrandbits(32) and randrange(k) bit for bit, gauss to 1e-12 (V8's
 * log/sin/cos may differ from glibc's in the last bit), for seeds 0, 1, 42
 * and 2^32 + 5, 10,000 draws each; and the selections of random, exp3p and
 * thompson drawing from random.Random(seed) with the reference's per-round
 * call patterns, exactly.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { PolicyError } from "../src/policies/index.ts";
import { policyRng } from "../src/policies/stream.ts";
import { type Pool, replay } from "../src/replay/index.ts";
import { PyRandom } from "../src/util/py-random.ts";
import { rng } from "../src/util/rng.ts";

const SEEDS = [0, 1, 42, 2 ** 32 + 5];
const KS = [1, 2, 3, 5, 7, 10, 50, 1000, 2 ** 31 + 1];
const DRAWS = 10_000;

function python(request: unknown): unknown {
  const r = spawnSync("python3", ["test/fixtures/py_random_fixture.py"], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 256 * 1024 ** 2,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

type Streams = Record<
  string,
  { random: number[]; gauss: number[]; getrandbits32: number[]; randrange: Record<string, number[]> }
>;

describe("PyRandom ≡ CPython's random.Random", () => {
  const want = python({ streams: { seeds: SEEDS, n: DRAWS, ks: KS } }) as Streams;

  for (const seed of SEEDS)
    it(`seed ${seed}: ${DRAWS} draws of random, getrandbits(32), randrange(k) exactly; gauss to 1e-12`, () => {
      const w = want[String(seed)]!;
      let r = new PyRandom(seed);
      assert.deepEqual(
        Array.from({ length: DRAWS }, () => r.next()),
        w.random,
      );
      r = new PyRandom(seed);
      assert.deepEqual(
        Array.from({ length: DRAWS }, () => r.getrandbits(32)),
        w.getrandbits32,
      );
      for (const k of KS) {
        r = new PyRandom(seed);
        assert.deepEqual(
          Array.from({ length: DRAWS }, () => r.int(k)),
          w.randrange[String(k)],
          `randrange(${k})`,
        );
      }
      r = new PyRandom(seed);
      let worst = 0;
      for (let i = 0; i < DRAWS; i++) worst = Math.max(worst, Math.abs(r.normal() - w.gauss[i]!));
      assert.ok(worst <= 1e-12, `max |gauss − CPython| = ${worst}`);
    });

  it("reseeding restarts the stream and drops the cached Gaussian", () => {
    const r = new PyRandom(7);
    const first = [r.normal(), r.next()];
    r.normal(); // leaves a cached value
    r.seed(7);
    assert.deepEqual([r.normal(), r.next()], first);
    // a negative seed is |seed|, as in Python
    assert.equal(new PyRandom(-42).next(), new PyRandom(42).next());
    // instance i of the python policy stream is random.Random(seed + i)
    assert.equal(policyRng("python").reseed(40, 2).next(), new PyRandom(42).next());
  });

  it("rejects what CPython would not draw from", () => {
    assert.throws(() => new PyRandom(0.5), RangeError);
    assert.throws(() => new PyRandom(2 ** 53), RangeError);
    assert.throws(() => new PyRandom(1).int(0), RangeError);
    assert.throws(() => new PyRandom(1).getrandbits(33), RangeError);
    assert.throws(() => policyRng("numpy" as "python"), RangeError);
  });
});

describe("policies under --rng python ≡ the reference's call patterns in CPython", () => {
  // K = 5 reward curves, two of them short (so fallbacks and an early stop happen)
  const r = rng(2024, 3);
  const depths = [40, 8, 60, 5, 60];
  const curves = depths.map((d) => {
    let v = 0.2 + 0.2 * r.next();
    return Array.from({ length: d + 1 }, (_, g) =>
      g === 0 ? v : (v = Math.max(v, v + 0.02 * (r.next() - 0.7))),
    );
  });
  const pool: Pool = {
    task: "t",
    model: "m",
    N: 1,
    seeds: [0, 1, 2, 3, 4],
    curves: curves.map((c) => Float64Array.from(c)),
    depths,
    files: depths.map(() => "synthetic"),
    warnings: [],
  };
  const algos = ["random", "exp3p", "thompson"];
  const params = { exp3p: { eta: 0.5, gamma: 0.2 }, thompson: { sigma: 0.05 } };
  for (const rounds of [64, 200]) {
    it(`G = ${rounds}: selections equal CPython's for every seed`, () => {
      const want = python({ policies: { curves, rounds, seeds: SEEDS, algos, params } }) as Record<
        string,
        Record<string, number[]>
      >;
      for (const algo of algos)
        for (const seed of SEEDS) {
          const got = replay(pool, {
            K: 5,
            rounds,
            policies: [algo],
            params,
            subset: [0, 1, 2, 3, 4],
            seed,
            rng: "python",
          }).policies[algo]!.selections;
          assert.deepEqual(got, want[algo]![String(seed)], `${algo} seed ${seed}`);
          assert.ok(got!.length > 0);
        }
    });
  }

  it("an unknown parameter is still a PolicyError under --rng python", () => {
    assert.throws(
      () =>
        replay(pool, { K: 5, rounds: 4, policies: ["exp3p"], params: { exp3p: { nope: 1 } }, rng: "python" }),
      PolicyError,
    );
  });
});
