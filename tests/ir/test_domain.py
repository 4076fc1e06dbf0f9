"""Domain: one name per variable domain, its code the one Hamiltonian.domains stores."""
from __future__ import annotations

import numpy as np
import pytest

import hamc
from hamc.ir.domain import KEYWORDS, Domain


def test_codes_and_keywords():
    assert [(d.name, int(d), d.keyword) for d in Domain] == [
        ("REAL", 0, "real"), ("BIT", 1, "bit"), ("SPIN", 2, "spin"), ("DISCRETE", 3, "discrete")]
    assert KEYWORDS == ("real", "bit", "spin", "discrete")
    assert [d.encoded for d in Domain] == [Domain.REAL, Domain.BIT, Domain.SPIN, Domain.BIT]
    assert Domain.of("spin") is Domain.SPIN
    with pytest.raises(KeyError):
        Domain.of("complex")


def test_hamiltonian_stores_each_variables_domain_code():
    h = hamc.load("spin s[2]\nreal x\nbit b[3]\nH = s[0]*s[1] + x*b[0] + b[1]*b[2]")
    assert h.domains.dtype == np.int8
    assert h.domains.tolist() == [Domain.SPIN] * 2 + [Domain.REAL] + [Domain.BIT] * 3


def test_a_discrete_variable_is_stored_as_its_one_hot_bits():
    h = hamc.load("spin s\ndiscrete n[2] in 0..2\nH = s * delta(n[0], n[1])")
    assert h.domains.tolist() == [Domain.SPIN] + [Domain.BIT] * 6
