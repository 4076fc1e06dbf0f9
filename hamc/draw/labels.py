"""Names and numbers as drawings show them: weights to 3 digits, variables and monomials as plain
text and LaTeX, gate labels compacted (x[1]*...*x[16] -> x[1]⋯x[16])."""
from __future__ import annotations

import re

from ..build.plan import factor_runs, monomial_text

def _value(w: float) -> str:
    """3 significant digits, exponents short: 0.000319 -> '3.19e-4', -2.55e+07 -> '-2.55e7'."""
    text = f"{w:.2e}" if 0 < abs(w) < 1e-3 else f"{w:.3g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


def tex_number(text: str) -> str:
    """'-2.6e7' -> '-2.6\\mathrm{e}{7}', 'b=3.2e-4' -> 'b=3.2\\mathrm{e}{-4}': as compact as the plain
    text, so a label takes the room the layout gave it; other text unchanged."""
    return re.sub(r"([0-9.])e([-+]?)0*([0-9]+)",
                  lambda m: rf"{m.group(1)}\mathrm{{e}}{{{'-' if m.group(2) == '-' else ''}{m.group(3)}}}", text)


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu", "xi",
          "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi",
          "Pi", "Sigma", "Phi", "Psi", "Omega"}


def _tex_base(base: str) -> str:
    return "\\" + base if base in _GREEK else base if len(base) == 1 else rf"\mathit{{{base}}}"


def _tex_name(name: str) -> str:
    """x[1] -> x_{1}, s[0,1] -> s_{0,1}, s[i+1,j] -> s_{i+1,j}, phi[2] -> \\phi_{2}, x1 -> x_{1}."""
    if "[" in name:
        base, idx = name.split("[", 1)
        return f"{_tex_base(base)}_{{{idx.rstrip(']')}}}"
    stripped = name.rstrip("0123456789")
    if stripped != name and stripped:
        return f"{_tex_base(stripped)}_{{{name[len(stripped):]}}}"
    return _tex_base(name)


def monomial_label(names: list[str]) -> tuple[str, str]:
    """('x[1]^2*x[2]', 'x_{1}^{2} x_{2}'): repeated factors written as powers."""
    runs = factor_runs(names)
    math = r"\,".join(_tex_name(n) if r == 1 else f"{_tex_name(n)}^{{{r}}}" for n, r in runs)
    return monomial_text(names), math


_INDEXED = re.compile(r"^(.*)\[(-?\d+)\]$")


def compact_monomial(names: list[str]) -> tuple[str, str]:
    """Like monomial_label, but four or more consecutive indices of one array are written as a run:
    x[1]*x[2]*...*x[16] -> 'x[1]⋯x[16]' ('x_{1}\\cdots x_{16}'), so long products keep short labels."""
    powers = factor_runs(names)
    groups: list[list] = []        # [name, power] or [base, first, last] for runs of single factors
    for name, power in powers:
        m = _INDEXED.match(name)
        last = groups[-1] if groups else None
        if m and power == 1 and last is not None and len(last) == 3 and last[0] == m.group(1) \
                and int(m.group(2)) == last[2] + 1:
            last[2] += 1
        elif m and power == 1:
            groups.append([m.group(1), int(m.group(2)), int(m.group(2))])
        else:
            groups.append([name, power])
    text, math = [], []
    for g in groups:
        if len(g) == 3 and g[2] - g[1] >= 3:
            text.append(f"{g[0]}[{g[1]}]⋯{g[0]}[{g[2]}]")
            math.append(rf"{_tex_name(f'{g[0]}[{g[1]}]')}\cdots {_tex_name(f'{g[0]}[{g[2]}]')}")
            continue
        for name, power in ([(f"{g[0]}[{i}]", 1) for i in range(g[1], g[2] + 1)] if len(g) == 3 else [g]):
            text.append(name if power == 1 else f"{name}^{power}")
            math.append(_tex_name(name) if power == 1 else f"{_tex_name(name)}^{{{power}}}")
    return "*".join(text), r"\,".join(math)


def gate_label(label: str) -> tuple[str, str]:
    """A gate label as stored in a network ('x[1]*x[2]', 'copy x[3]', 'bits {x[0] x[1]}', 'x[1]^2',
    'copy sum 0') -> (compact plain text, LaTeX)."""
    head, _, rest = label.partition(" ")
    if rest and head in ("copy", "bits", "flat") and not rest.startswith("sum"):
        names = _factors(rest.strip("{}").split())
        text, math = compact_monomial(names)
        shown = "{" + " ".join(text.split("*")) + "}" if head in ("bits", "flat") else text
        shown_math = (r"\{" + r"\ ".join(math.split(r"\,")) + r"\}") if head in ("bits", "flat") else math
        return f"{head} {shown}", rf"\text{{{head}}}\ {shown_math}"
    if rest:
        return label, rf"\text{{{label}}}"
    return compact_monomial(_factors(label.split("*")))


def _factors(tokens: list[str]) -> list[str]:
    names = []
    for f in tokens:
        base, _, power = f.partition("^")
        names += [base] * (int(power) if power.isdigit() else 1)
    return names
