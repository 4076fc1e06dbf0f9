"""Bugs stay bugs: only explicit refusals of the user's input become HamcError (exit 2)."""
from __future__ import annotations

import numpy as np
import pytest

import hamc
from hamc.build import table_layers
from hamc.draw import output as drawing
from hamc.build.options import BuildOptions


def test_a_value_error_inside_the_planner_propagates_as_itself(monkeypatch):
    def broken(*args, **kwargs):
        np.zeros(3) + np.zeros(4)       # the broadcasting bug issue reporters saw, as a stand-in

    monkeypatch.setattr(table_layers, "plan_from_table", broken)
    with pytest.raises(ValueError, match="could not be broadcast") as info:
        hamc.compile("real x, y\nH = x*y")
    assert not isinstance(info.value, hamc.HamcError)


def test_a_value_error_inside_the_flat_builder_propagates(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("wiring bug")

    monkeypatch.setattr(table_layers, "build_flat", broken)
    with pytest.raises(ValueError, match="^wiring bug$"):
        hamc.compile("real x, y\nH = x*y", options=BuildOptions(strategy="flat"))


def test_a_value_error_inside_a_diagram_propagates(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("layout bug")

    compiled = hamc.compile("real x, y\nH = x*y")
    monkeypatch.setattr(drawing, "blocks_diagram", broken)
    with pytest.raises(ValueError, match="^layout bug$"):
        drawing.network_drawing(compiled, "blocks")


@pytest.mark.parametrize("activation", ["softplus", "exp"])
def test_bits_with_a_smooth_unbounded_activation_is_refused_explicitly(activation):
    with pytest.raises(hamc.HamcError, match=f"activation '{activation}' is not a threshold unit"):
        hamc.compile("spin s[3]\nH = s[0]*s[1]*s[2]", options=BuildOptions(strategy="bits", activation=activation))


def test_flat_beyond_its_neuron_limit_is_refused_explicitly():
    with pytest.raises(hamc.HamcError, match=r"the flat network needs 1,024 hidden neurons \(limit 1,000\)"):
        hamc.compile("real x[10]\nH = prod(i in 0..9: x[i])",
                     options=BuildOptions(strategy="flat", max_neurons=1000))


def test_symbolic_labels_on_a_compiled_network_are_refused_explicitly():
    compiled = hamc.compile("real x, y\nH = x*y")
    with pytest.raises(hamc.HamcError, match="symbolic weight labels"):
        drawing.network_drawing(compiled, "neurons", labels="symbolic")
