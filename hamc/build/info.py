"""BuildInfo: what a build chose and certified (strategy, activation, dtype, layout, gate scales, beta,
plan counts, error bound), typed; `to_meta()` is the JSON object a Network and its .npz file carry."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..network.model import Network
from .plan import ProductPlan


@dataclass(frozen=True)
class GateScales:
    """The unit gates' scales lambda and bias points c (tree and flat strategies)."""
    product_lambda: float
    square_lambda: float
    copy_lambda: float
    product_bias: float
    square_bias: float
    copy_bias: float
    copy_neurons: int
    gates: str = "single"           # single | richardson | paper (scales.unit_gate)
    product_neurons: int = 4
    square_neurons: int = 2


@dataclass(frozen=True)
class PlanCounts:
    """The product plan's size (tree strategy)."""
    product_layers: int
    product_gates: int
    product_gates_unshared: int


@dataclass(frozen=True)
class BuildInfo:
    strategy: str                       # tree | flat | bits
    activation: str
    dtype: str
    input_range: tuple[float, float]
    tol: float
    layout: str                         # shared | unrolled
    error_bound: float | None           # certified max |network - H|; None where there is no model
    error_bound_reason: str             # why there is none ("" when there is one)
    beta: float | None = None           # the threshold sharpness (bits strategy)
    scales: GateScales | None = None
    plan: PlanCounts | None = None
    structure: str = "expanded"         # expanded | factored: the table as expanded, or squares/products of linear forms
    structure_reason: str = ""          # which was built and why, with both neuron counts

    def to_meta(self) -> dict:
        meta = {"strategy": self.strategy, "activation": self.activation, "dtype": self.dtype,
                "input_range": list(self.input_range), "tol": self.tol, "layout": self.layout}
        if self.beta is not None:
            meta["beta"] = self.beta
        for part in (self.scales, self.plan):
            if part is not None:
                meta.update(asdict(part))
        meta.update(structure=self.structure, structure_reason=self.structure_reason)
        meta.update(error_bound=self.error_bound, error_bound_reason=self.error_bound_reason)
        return meta


@dataclass(frozen=True)
class Built:
    network: Network
    plan: ProductPlan | None        # the product plan a tree network follows (per site for a shared layout)
    info: BuildInfo                 # also network.meta, as JSON
    flat_hidden_neurons: int        # the single-hidden-layer count, from the table this build used


@dataclass(frozen=True)
class MadeLayers:
    """What a monomial table's layers builder made: the layers, the plan (tree), the error model or the
    reason there is none, and the choices BuildInfo records."""
    layers: tuple
    plan: ProductPlan | None
    errors: object
    beta: float | None = None
    scales: GateScales | None = None
    structure: str = "expanded"
    structure_reason: str = ""

    def info(self, partial_info, error_bound: float | None, reason: str) -> BuildInfo:
        counts = None if self.plan is None else PlanCounts(self.plan.depth, self.plan.product_gates,
                                                           self.plan.unshared_product_gates)
        return partial_info(error_bound, reason, beta=self.beta, scales=self.scales, plan=counts,
                            structure=self.structure, structure_reason=self.structure_reason)
