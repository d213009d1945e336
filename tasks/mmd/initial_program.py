"""Min/max distance ratio: 16 points in the plane, maximise (d_min / d_max)^2.

The points are explicit parameters (scattered, with two nearly coincident).
"""

import numpy as np

POINTS = [
    (0.5106, 0.9054),
    (0.1797, 0.9038),
    (0.3306, 0.4310),
    (0.7949, 0.4183),
    (0.5446, 0.0748),
    (0.7282, 0.5343),
    (0.3468, 0.7596),
    (0.3229, 0.4581),
    (0.1706, 0.4128),
    (0.2331, 0.2861),
    (0.7253, 0.3024),
    (0.4867, 0.9327),
    (0.9155, 0.7023),
    (0.5371, 0.2992),
    (0.1946, 0.9229),
    (0.5145, 0.1543),
]


def min_max_dist_dim2_16():
    """Returns a (16, 2) numpy array of points."""
    return np.array(POINTS, dtype=float)


if __name__ == "__main__":
    from scipy.spatial.distance import pdist

    d = pdist(min_max_dist_dim2_16())
    print(f"(d_min/d_max)^2 = {(d.min() / d.max()) ** 2:.6f}")
