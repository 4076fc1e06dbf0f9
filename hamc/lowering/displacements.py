"""Index `i + (1, 0)` (a lattice site moved by a vector) -> its coordinate columns."""
from __future__ import annotations

import numpy as np

from ..errors import HamcError
from ..language import syntax as S

MISPLACED = "a displacement such as (1, 0) is added to a lattice site inside an index, as in s[i + (1, 0)]"


def site_columns(ctx, idx, scope) -> list[np.ndarray] | None:
    """The coordinates of idx if it is a site (`i`), or a site plus or minus displacements
    (`i + (1, 0) - (0, 1)`, `(1, 0) + i`); None for any other index expression."""
    if isinstance(idx, S.Name) and idx.name in scope.indices:
        return list(scope.indices[idx.name])
    if not (isinstance(idx, S.BinOp) and idx.op in "+-"):
        return None
    if isinstance(idx.right, S.Displacement):
        site, vector, sign = idx.left, idx.right, 1 if idx.op == "+" else -1
    elif isinstance(idx.left, S.Displacement) and idx.op == "+":
        site, vector, sign = idx.right, idx.left, 1
    else:
        return None
    base = site_columns(ctx, site, scope)
    if base is None:
        raise HamcError(MISPLACED, vector.span)
    if len(vector.components) != len(base):
        raise HamcError(f"this displacement has {len(vector.components)} components, the site "
                        f"{len(base)} coordinate(s)", vector.span)
    return [c + sign * ctx.integer(v, scope) for c, v in zip(base, vector.components)]
