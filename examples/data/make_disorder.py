"""Writes the small disorder files of examples/edwards_anderson.ham and examples/random_field.ham."""
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(2017)
    np.save(HERE / "ea_couplings.npy", rng.choice([-1.0, 1.0], size=(4, 4, 4, 3)))   # +-J bonds, L = 4
    np.save(HERE / "random_fields.npy", rng.normal(0.0, 1.0, size=(8, 8)).round(3))  # Gaussian h_ij, L = 8


if __name__ == "__main__":
    main()
