"""Domain: one name per variable domain, its code the one Hamiltonian.domains stores."""
from __future__ import annotations

import numpy as np
import pytest

import hamc
from hamc.ir.domain import KEYWORDS, Domain


def test_codes_and_keywords():
    assert [(d.name, int(d), d.keyword) for d in Domain] == [("REAL", 0, "real"), ("BIT", 1, "bit"), ("SPIN", 2, "spin")]
    assert KEYWORDS == ("real", "bit", "spin")
    assert Domain.of("spin") is Domain.SPIN
    with pytest.raises(KeyError):
        Domain.of("complex")


def test_hamiltonian_stores_each_variables_domain_code():
    h = hamc.load("spin s[2]\nreal x\nbit b[3]\nH = s[0]*s[1] + x*b[0] + b[1]*b[2]")
    assert h.domains.dtype == np.int8
    assert h.domains.tolist() == [Domain.SPIN] * 2 + [Domain.REAL] + [Domain.BIT] * 3
