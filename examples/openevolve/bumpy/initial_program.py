# EVOLVE-BLOCK-START
"""Find the lowest point of a bumpy two-dimensional landscape."""
import math


def search():
    """Returns the point (x, y) believed to be lowest."""
    x = 2.0
    y = -1.5
    step = 0.25
    # a few steps of naive descent along x
    for _ in range(3):
        if math.sin(5 * (x - step)) ** 2 < math.sin(5 * x) ** 2:
            x -= step
    return x, y


# EVOLVE-BLOCK-END


def run_search():
    return search()
