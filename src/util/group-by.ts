/**
 * Groups items by a string key, keeping first-seen order (of the groups and within each).
 * O(n).
 * @example [...groupBy([1, 2, 3, 4], (x) => (x % 2 ? "odd" : "even"))] // => [["odd", [1, 3]], ["even", [2, 4]]]
 */
export function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(it);
  }
  return out;
}
