"""Circle packing: 26 circles in the unit square, maximise the sum of radii.

The centres are explicit parameters; the radii are derived from them so that
the packing is always valid (each radius limited by the walls, then every
overlapping pair shrunk proportionally).
"""

import numpy as np

# (x, y) of the 26 centres: one in the middle, a ring of 8, an outer ring of 16, one extra.
CENTERS = [
    (0.5000, 0.5000),
    (0.8000, 0.5000),
    (0.7121, 0.7121),
    (0.5000, 0.8000),
    (0.2879, 0.7121),
    (0.2000, 0.5000),
    (0.2879, 0.2879),
    (0.5000, 0.2000),
    (0.7121, 0.2879),
    (0.9900, 0.5000),
    (0.9900, 0.7679),
    (0.9900, 0.9900),
    (0.7679, 0.9900),
    (0.5000, 0.9900),
    (0.2321, 0.9900),
    (0.0100, 0.9900),
    (0.0100, 0.7679),
    (0.0100, 0.5000),
    (0.0100, 0.2321),
    (0.0100, 0.0100),
    (0.2321, 0.0100),
    (0.5000, 0.0100),
    (0.7679, 0.0100),
    (0.9900, 0.0100),
    (0.9900, 0.2321),
    (0.6000, 0.4000),
]


def compute_max_radii(centers):
    """Largest radii for fixed centres: limited by the walls, then by each neighbour."""
    # Integer constants only: the float literals of this program are its geometry.
    centers = np.clip(np.asarray(centers, dtype=float), 0, 1)
    n = centers.shape[0]
    radii = np.minimum.reduce([centers[:, 0], centers[:, 1], 1 - centers[:, 0], 1 - centers[:, 1]])
    radii = np.maximum(radii, 0)
    for i in range(n):
        for j in range(i + 1, n):
            dist = float(np.hypot(*(centers[i] - centers[j])))
            if radii[i] + radii[j] > dist:
                scale = dist / (radii[i] + radii[j])
                radii[i] *= scale
                radii[j] *= scale
    return centers, radii


def construct_packing():
    """Returns (centers (26, 2), radii (26,), sum of radii)."""
    centers, radii = compute_max_radii(CENTERS)
    return centers, radii, float(np.sum(radii))


if __name__ == "__main__":
    c, r, s = construct_packing()
    print(f"sum of radii: {s:.6f}")
