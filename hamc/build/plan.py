"""Hamiltonian -> ProductPlan: the shared sub-products of a binary product tree, by layer."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2

import numpy as np

from ..errors import LOAD_FIRST, expect_type
from ..ir.hamiltonian import Hamiltonian
from ..ir.terms import unique_rows


def factor_runs(names) -> list[tuple[str, int]]:
    """[(name, power)] of a monomial's sorted factors: x, x, y -> [(x, 2), (y, 1)]."""
    runs: list[list] = []
    for name in names:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    return [(n, r) for n, r in runs]


def monomial_text(names) -> str:
    """x[1]^2*x[2]: how gate labels and plan nodes name a product."""
    return "*".join(n if r == 1 else f"{n}^{r}" for n, r in factor_runs(names))


def level(degree: int) -> int:
    """The hidden layer that finishes a product of `degree` factors: ceil(log2 degree)."""
    return ceil(log2(degree)) if degree > 1 else 0


@dataclass(frozen=True)
class ProductPlan:
    """Which sub-products to compute, in which layer, shared between monomials.

    Sub-products are grouped by degree k: `nodes[k]` is an (m_k, k) array of variable indices
    (sorted; repeats are powers). A node of degree k >= 2 is computed in hidden layer level(k)
    from its `left` child (degree ceil(k/2), row `left[k]` of `nodes[ceil(k/2)]`) and its
    `right` child (degree floor(k/2)); equal children make it a square. `needed[k]` is the last
    stage at which each node must still be available (its latest consumer's layer - 1, or its
    own layer), which says how long copy gates carry it. Degree-1 nodes are input variables.

    `terms[k]` holds, for every node of degree k that is a monomial of H, its row in `nodes[k]`
    and its coefficients (one column per output); `constant` is the degree-0 term per output.
    """

    n_variables: int
    n_outputs: int
    nodes: dict[int, np.ndarray]
    left: dict[int, np.ndarray]
    right: dict[int, np.ndarray]
    needed: dict[int, np.ndarray]
    terms: dict[int, tuple[np.ndarray, np.ndarray]]
    constant: np.ndarray
    forms: np.ndarray | None = None     # (K, n): the last K variables are these linear forms of the n inputs
    form_names: tuple[str, ...] = ()    # how each form is written, for labels: (x[i] - 0.5*x[i+1])

    @property
    def depth(self) -> int:
        """Product layers: ceil(log2 d_max)."""
        return level(max(self.nodes, default=1))

    @property
    def product_gates(self) -> int:
        return sum(len(v) for k, v in self.nodes.items() if k >= 2)

    def squares(self, k: int) -> np.ndarray:
        return (self.left[k] == self.right[k]) if k % 2 == 0 else np.zeros(len(self.nodes[k]), bool)

    @property
    def unshared_product_gates(self) -> int:
        """Gates a tree per monomial would need without sharing: d - 1 per monomial of degree d."""
        return sum(len(rows) * (k - 1) for k, (rows, _) in self.terms.items() if k >= 2)

    def copies(self, layer: int) -> dict[int, np.ndarray]:
        """Per degree, the rows of nodes carried through hidden layer `layer` by copy gates."""
        return {k: np.flatnonzero((level(k) < layer) & (self.needed[k] >= layer))
                for k in self.nodes if len(self.nodes[k])}

    def to_networkx(self, names=None):
        """The plan as a DAG (factor -> product). Node keys are 'x3', 'x1*x2', ... (or the
        variables' `names`, a sequence indexed by variable); attributes:
        `degree`, `layer` (hidden layer computing it; 0 for inputs), `variables` (tuple),
        `coefficients` (tuple per output, or None if not a term of H), `square` (bool)."""
        import networkx as nx                               # only drawings and tests need the graph
        g = nx.DiGraph()
        coef = {}
        for k, (rows, c) in self.terms.items():
            for r, row in zip(rows, c):
                coef[(k, int(r))] = tuple(float(v) for v in row)

        inputs = self.n_variables - len(self.form_names)

        def name(k, r):
            return "*".join(f"x{int(v)}" if names is None else names[int(v)] if v < inputs
                            else self.form_names[int(v) - inputs] for v in self.nodes[k][r])

        for k in sorted(self.nodes):
            squares = self.squares(k) if k >= 2 else None
            for r, vars_ in enumerate(self.nodes[k]):
                g.add_node(name(k, r), degree=k, layer=level(k), variables=tuple(int(v) for v in vars_),
                           coefficients=coef.get((k, r)), square=bool(squares[r]) if k >= 2 else False)
                if k >= 2:
                    g.add_edge(name(k - k // 2, self.left[k][r]), name(k, r))
                    g.add_edge(name(k // 2, self.right[k][r]), name(k, r))
        return g


def _unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inverse, _ = unique_rows(a)
    return uniq, inverse


def monomial_table(h: Hamiltonian) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The union of all outputs' monomials by degree: (unique monomials, coefficient matrix)."""
    n_out = len(h.energies)
    constant = np.zeros(n_out)
    table = {}
    for k in sorted({d for p in h.energies for d in p.monomials}):
        per_energy = [(j, p.monomials[k], p.coefficients[k].as_float())
                      for j, p in enumerate(h.energies) if k in p.monomials]
        if k == 0:
            for j, _, c in per_energy:
                constant[j] += c.sum()
            continue
        if n_out == 1:          # one energy: its monomials are unique and sorted already
            table[k] = (per_energy[0][1], per_energy[0][2][:, None])
            continue
        uniq, inverse = _unique_rows(np.vstack([b for _, b, _ in per_energy]))
        coef = np.zeros((len(uniq), n_out))
        start = 0
        for j, b, c in per_energy:
            np.add.at(coef[:, j], inverse[start:start + len(b)], c)
            start += len(b)
        table[k] = (uniq, coef)
    return table, constant


def plan_products(h: Hamiltonian) -> ProductPlan:
    """Split every monomial into balanced halves (sorted factors: first ceil(k/2), then the rest),
    recursively; identical sub-products anywhere in H become one node."""
    expect_type(h, Hamiltonian, "hamc.plan_products takes a Hamiltonian (from hamc.load)", hint_for_text=LOAD_FIRST)
    table, constant = monomial_table(h)
    return plan_from_table(h.n_variables, len(h.energies), table, constant)


def plan_from_table(n_variables: int, n_outputs: int, table: dict, constant: np.ndarray) -> ProductPlan:
    """The plan for a monomial table (see monomial_table) over n_variables inputs."""
    requests: dict[int, list[np.ndarray]] = {k: [m] for k, (m, _) in table.items()}
    nodes: dict[int, np.ndarray] = {}
    while requests:
        k = max(requests)
        nodes[k] = _unique_rows(np.vstack(requests.pop(k)))[0]
        if k >= 2:
            half = k - k // 2
            requests.setdefault(half, []).append(nodes[k][:, :half])
            requests.setdefault(k // 2, []).append(nodes[k][:, half:])
    left, right, needed, terms = {}, {}, {}, {}
    for k in nodes:
        needed[k] = np.full(len(nodes[k]), level(k))
    for k in sorted(nodes):
        if k < 2:
            continue
        half = k - k // 2
        left[k] = _find_rows(nodes[half], nodes[k][:, :half])
        right[k] = _find_rows(nodes[k // 2], nodes[k][:, half:])
        for child_k, idx in ((half, left[k]), (k // 2, right[k])):
            np.maximum.at(needed[child_k], idx, level(k) - 1)
    for k, (monomials, coef) in table.items():
        terms[k] = (_find_rows(nodes[k], monomials), coef)
    return ProductPlan(n_variables, n_outputs, nodes, left, right, needed, terms, constant)


def _find_rows(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Row index in `haystack` (unique, lexicographically sorted rows) of each row of `needles`."""
    uniq, inverse = _unique_rows(np.vstack([haystack, needles]))
    position = np.empty(len(uniq), np.int64)
    position[inverse[:len(haystack)]] = np.arange(len(haystack))
    return position[inverse[len(haystack):]]
