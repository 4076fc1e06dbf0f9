"""Writes sk_couplings.npy: symmetric Gaussian couplings J_ij (N = 64, zero diagonal, seed 2017)."""
from pathlib import Path

import numpy as np

N = 64
rng = np.random.default_rng(2017)
upper = np.triu(rng.standard_normal((N, N)), k=1)
np.save(Path(__file__).with_name("sk_couplings.npy"), upper + upper.T)
