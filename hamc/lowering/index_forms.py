"""Index expressions of a lattice sum's body -> their forms: a node's subtree, a number, `i + c`."""
from __future__ import annotations

from ..language import syntax as S


def walk(node):
    """The node and every node below it, depth first."""
    yield node
    for child in getattr(node, "__dict__", {}).values():
        for c in (child if isinstance(child, tuple) else (child,)):
            if hasattr(c, "span") and not isinstance(c, (str, int)):
                yield from walk(c)


def is_number(lw, node) -> bool:
    """No variables, sums or summation indices: a constant factor of a lattice sum."""
    for n in walk(node):
        if isinstance(n, (S.Reduce, S.Str)):
            return False
        if isinstance(n, (S.Name, S.Indexed)) and n.name in lw.variables:
            return False
    return True


def affine_index(lw, idx, indices):
    """The index name if idx is `i`, `i + c`, `i - c` or `c + i` with c a number or a displacement
    (`i + (1, 0) - (0, 1)`), else None."""
    if isinstance(idx, S.Name) and idx.name in indices:
        return idx.name
    if isinstance(idx, S.BinOp) and idx.op in "+-":
        for var, const in ((idx.left, idx.right), (idx.right, idx.left)):
            if idx.op == "-" and var is idx.right:
                continue
            if is_number(lw, const) and not any(isinstance(m, S.Name) and m.name in indices for m in walk(const)):
                name = affine_index(lw, var, indices)
                if name is not None:
                    return name
    return None
