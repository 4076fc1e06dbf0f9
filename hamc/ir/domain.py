"""Domain: what a variable ranges over. Its value is the code Hamiltonian.domains stores per variable
(int8), its keyword the one .ham declarations and VariableArray.domain use."""
from __future__ import annotations

from enum import IntEnum


class Domain(IntEnum):
    REAL = 0        # the input range (-1, 1 by default)
    BIT = 1         # {0, 1}: x^2 = x
    SPIN = 2        # {-1, 1}: s^2 = 1
    DISCRETE = 3    # one of q states, given to the network as q one-hot bits

    @property
    def encoded(self) -> "Domain":
        """The domain of each input variable that encodes one of these (a q-state variable is q bits)."""
        return Domain.BIT if self is Domain.DISCRETE else self

    @property
    def keyword(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, keyword: str) -> "Domain":
        """The Domain of a declaration's keyword ('real', 'bit', 'spin' or 'discrete')."""
        return cls[keyword.upper()]


KEYWORDS = tuple(d.keyword for d in Domain)     # ("real", "bit", "spin", "discrete"), in code order
