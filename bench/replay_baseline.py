#!/usr/bin/env python3
"""A straightforward pure-Python replay, written as the baseline of `npm run bench:replay`.

Same rules as `evoalloc replay` (DESIGN.md "Replay" and "Allocation policies"): a pool of
per-seed best-so-far curves from greedy run files (longest run per seed), K-subset instances
(all of them in lexicographic order up to --max-instances, else a seeded sample), policies
ucb / exp3p / thompson / random with the exhausted-arm fallback, references uniform / single /
oracle, each instance's arms in evoalloc's seeded random order, and per-policy mean, median, IQM, 5% and 95% quantiles. No bootstrap (the benchmark
runs evoalloc with --bootstrap 0). Prints one JSON object.

    python3 bench/replay_baseline.py --results DIR --task T --model M --N 4 --K 10 --rounds 64 \
        --max-instances 20000 --algos ucb,exp3p,thompson,random
"""
import argparse
import itertools
import json
import math
import os
import random


def load_pool(results, task, model, n):
    chosen = {}
    for root, _dirs, files in os.walk(results):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(root, name)
            with open(path) as fh:
                run = json.load(fh)
            if "trajectory" not in run or "arm_results" in run:
                continue
            if run["task"] != task or run["model"] != model or run["N"] != n:
                continue
            curve = [g["best_fitness"] for g in run["trajectory"]]
            seed = run["seed"]
            old = chosen.get(seed)
            if old is None or len(curve) > len(old[1]) or (len(curve) == len(old[1]) and path < old[0]):
                chosen[seed] = (path, curve)
    seeds = sorted(chosen)
    return seeds, [chosen[s][1] for s in seeds]


class UCB:
    def __init__(self, k, horizon, rng, c=math.sqrt(2)):
        self.k, self.c = k, c
        self.sums = [0.0] * k
        self.counts = [0] * k
        self.t = 0

    def select(self):
        for i in range(self.k):
            if self.counts[i] == 0:
                return i
        log_t = math.log(self.t)
        best, best_v = 0, -math.inf
        for i in range(self.k):
            v = self.sums[i] / self.counts[i] + self.c * math.sqrt(log_t / self.counts[i])
            if v > best_v:
                best, best_v = i, v
        return best

    def update(self, arm, reward):
        self.sums[arm] += reward
        self.counts[arm] += 1
        self.t += 1


class EXP3P:
    def __init__(self, k, horizon, rng, eta=0.07, gamma=0.1):
        self.k, self.eta, self.gamma, self.rng = k, eta, gamma, rng
        self.w = [1.0] * k

    def probs(self):
        total = sum(self.w)
        return [(1 - self.gamma) * w / total + self.gamma / self.k for w in self.w]

    def select(self):
        u = self.rng.random()
        acc = 0.0
        for i, p in enumerate(self.probs()):
            acc += p
            if u < acc:
                return i
        return self.k - 1

    def update(self, arm, reward):
        g = min(max(reward, 0.0), 1.0)
        p = self.probs()[arm]
        self.w[arm] *= math.exp(self.eta * g / (p + self.gamma / (2 * self.k)))


class Thompson:
    def __init__(self, k, horizon, rng, sigma=0.1, m0=0.5, s0=1.0):
        self.k, self.sigma, self.m0, self.s0, self.rng = k, sigma, m0, s0, rng
        self.sums = [0.0] * k
        self.counts = [0] * k

    def select(self):
        best, best_v = 0, -math.inf
        for i in range(self.k):
            n = self.s0 + self.counts[i]
            v = self.rng.gauss((self.s0 * self.m0 + self.sums[i]) / n, self.sigma / math.sqrt(n))
            if v > best_v:
                best, best_v = i, v
        return best

    def update(self, arm, reward):
        self.sums[arm] += reward
        self.counts[arm] += 1


class Random:
    def __init__(self, k, horizon, rng):
        self.k, self.rng = k, rng

    def select(self):
        return self.rng.randrange(self.k)

    def update(self, arm, reward):
        pass


M32 = 0xFFFFFFFF


class Xoshiro128:
    """evoalloc's rng(seed, stream) (xoshiro128** seeded by splitmix32), for the arms' order."""

    def __init__(self, seed, stream):
        self.a = (seed ^ ((stream + 1) * 0x85EBCA6B)) & M32
        self._mix()
        self.s = [self._mix() for _ in range(4)]
        if not any(self.s):
            self.s[0] = 1

    def _mix(self):
        self.a = (self.a + 0x9E3779B9) & M32
        z = self.a
        z = ((z ^ (z >> 16)) * 0x21F0AAAD) & M32
        z = ((z ^ (z >> 15)) * 0x735A2D97) & M32
        return z ^ (z >> 15)

    def next(self):
        s0, s1, s2, s3 = self.s
        x = (s1 * 5) & M32
        result = ((((x << 7) | (x >> 25)) & M32) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 11) | (s3 >> 21)) & M32
        self.s = [s0, s1, s2, s3]
        return result / 4294967296

    def int(self, n):
        return math.floor(self.next() * n)


STREAM_ORDER = 0x7FFF0004


def shuffle_arms(instances, seed):
    """Each instance's arms in a seeded random order, drawn as evoalloc draws them (Fisher-Yates)."""
    r = Xoshiro128(seed, STREAM_ORDER)
    out = []
    for inst in instances:
        arms = list(inst)
        for a in range(len(arms) - 1, 0, -1):
            b = r.int(a + 1)
            arms[a], arms[b] = arms[b], arms[a]
        out.append(tuple(arms))
    return out


POLICIES = {"ucb": UCB, "exp3p": EXP3P, "thompson": Thompson, "random": Random}


def replay_one(policy, arms, rounds):
    k = len(arms)
    pulls = [0] * k
    best = max(c[0] for c in arms)
    for _ in range(rounds):
        a = policy.select()
        if pulls[a] >= len(arms[a]) - 1:
            a = None
            for b in range(k):
                if pulls[b] < len(arms[b]) - 1 and (a is None or pulls[b] < pulls[a]):
                    a = b
            if a is None:
                break
        pulls[a] += 1
        reward = arms[a][pulls[a]]
        policy.update(a, reward)
        best = max(best, reward)
    return best


def quantile(sorted_values, p):
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(len(sorted_values) - 1, lo + 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def summary(values):
    s = sorted(values)
    cut = len(s) // 4
    mid = s[cut : len(s) - cut]
    return {
        "mean": sum(s) / len(s),
        "median": quantile(s, 0.5),
        "iqm": sum(mid) / len(mid),
        "q05": quantile(s, 0.05),
        "q95": quantile(s, 0.95),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--task", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--N", type=int, required=True)
    ap.add_argument("--K", type=int, required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--max-instances", type=int, default=100000)
    ap.add_argument("--algos", default="ucb,exp3p,thompson,random")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    seeds, curves = load_pool(args.results, args.task, args.model, args.N)
    k, g = args.K, args.rounds
    if math.comb(len(seeds), k) <= args.max_instances:
        instances = list(itertools.combinations(range(len(seeds)), k))
    else:
        r = random.Random(args.seed)
        instances = [tuple(sorted(r.sample(range(len(seeds)), k))) for _ in range(args.max_instances)]
    instances = shuffle_arms(instances, args.seed)
    algos = args.algos.split(",")
    outcomes = {name: [] for name in algos}
    refs = {"uniform": [], "single": [], "oracle": []}
    for i, inst in enumerate(instances):
        arms = [curves[j] for j in inst]
        for name in algos:
            rng = random.Random(args.seed * 1000003 + i)  # common random numbers across policies
            outcomes[name].append(replay_one(POLICIES[name](k, g, rng), arms, g))
        shares = [g // k + (1 if a < g % k else 0) for a in range(k)]
        refs["uniform"].append(max(c[min(s, len(c) - 1)] for c, s in zip(arms, shares)))
        finals = [c[min(g, len(c) - 1)] for c in arms]
        refs["single"].append(sum(finals) / k)
        refs["oracle"].append(max(finals))
    print(
        json.dumps(
            {
                "n_instances": len(instances),
                "pool": seeds,
                "policies": {name: summary(v) for name, v in outcomes.items()},
                "references": {name: summary(v) for name, v in refs.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
