"""Energy readout -> output layer: H itself, or a classifier's posterior softmax(-H_y + ln p(y)) (eq 8)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..network.model import Layer, make_layer


def output_head(rows, cols, values, shape, energy_bias, dtype, log_priors=None) -> Layer:
    """The output layer reading H_j = sum of `values` * hidden + energy_bias_j from COO triplets: H
    itself, or with `log_priors` (ln p(y)) the classifier's softmax of the logits -H_y + ln p(y)."""
    if log_priors is None:
        return make_layer(rows, cols, values, shape, energy_bias, "identity", dtype)
    return make_layer(rows, cols, -np.asarray(values), shape, logits_bias(energy_bias, log_priors), "softmax", dtype)


def logits_bias(energy_bias, log_priors):
    """The constant of a classifier's logits -H_y + ln p(y), from H_y's constant."""
    return -energy_bias + log_priors


def negated_energy(layer: Layer) -> Layer:
    """A layer that adds up -H instead of H: a shared classifier's sites sum logits before the softmax."""
    return replace(layer, weight=-layer.weight, bias=-layer.bias)


def error_scale(scale: float, posterior: bool) -> float:
    """What an absolute error is measured against: S, the bound on |H|, or for a classifier 2, since
    the posterior moves by at most half its logits' error."""
    return 2.0 if posterior else scale
