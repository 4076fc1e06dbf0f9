"""Writes clock6.csv: C[a, b] = cos(2 pi (a - b) / 6), rounded to its exact values 1, 1/2, -1/2, -1."""
from pathlib import Path

import numpy as np

Q = 6
a = np.arange(Q)
table = np.round(np.cos(2 * np.pi * (a[:, None] - a[None, :]) / Q), 12)
np.savetxt(Path(__file__).with_name("clock6.csv"), table, fmt="%g", delimiter=",")
