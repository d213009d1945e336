"""Heilbronn problem in a triangle: 11 points inside the triangle (0,0), (1,0),
(0.5, sqrt(3)/2), maximise the smallest area of a triangle formed by three of them.

The points are explicit parameters; `into_triangle` moves any point that lies
outside back onto the triangle, so the configuration is always valid.
"""

import numpy as np

POINTS = [
    (0.7311, 0.2419),
    (0.1169, 0.0555),
    (0.2285, 0.1808),
    (0.4721, 0.3329),
    (0.3241, 0.3792),
    (0.7696, 0.0453),
    (0.8181, 0.0680),
    (0.7699, 0.1726),
    (0.5229, 0.1440),
    (0.5094, 0.3545),
    (0.1519, 0.1348),
]

# Integer constants only: the float literals of this program are its geometry.
VERTICES = np.array([(0, 0), (1, 0), (1 / 2, np.sqrt(3) / 2)], dtype=float)


def into_triangle(points):
    """Clips each point's barycentric coordinates to be non-negative (a point inside stays put)."""
    points = np.asarray(points, dtype=float)
    a, b, c = VERTICES
    m = np.column_stack([b - a, c - a])
    uv = np.linalg.solve(m, (points - a).T).T
    bary = np.column_stack([1 - uv.sum(axis=1), uv])
    bary = np.clip(bary, 0, None)
    bary /= bary.sum(axis=1, keepdims=True)
    return bary @ VERTICES


def heilbronn_triangle11():
    """Returns an (11, 2) numpy array of points inside the triangle."""
    return into_triangle(POINTS)


if __name__ == "__main__":
    print(heilbronn_triangle11())
