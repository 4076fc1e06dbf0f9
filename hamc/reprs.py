"""Compiled, Analysis, Verification -> HTML tables for notebooks (`_repr_html_`)."""
from __future__ import annotations

from html import escape

_TH = '<th style="text-align:left">'


def table(title: str, rows: list[tuple[str, str]], after: str = "") -> str:
    """A two-column table (name, value), escaped; `after` is HTML placed below it."""
    body = "".join(f"<tr>{_TH}{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<div><strong>{escape(title)}</strong><table>{body}</table>{after}</div>"


def summary_rows(summary: str) -> list[tuple[str, str]]:
    """`name   value` lines of a summary() as rows; an indented line continues the row above."""
    rows: list[tuple[str, str]] = []
    for line in summary.splitlines():
        if line.startswith(" ") and rows:
            rows[-1] = (rows[-1][0], f"{rows[-1][1]}; {line.strip()}")
        elif line.strip():
            name, _, value = line.partition("  ")
            rows.append((name.strip(), value.strip()))
    return rows


def number(x) -> str:
    return "n/a" if x is None else f"{x:,}" if isinstance(x, int) else f"{x:.3g}"


def verification_rows(v) -> list[tuple[str, str]]:
    inputs = f"{v.samples:,} (all configurations)" if v.exhaustive else f"{v.samples:,} (random, half at corners)"
    return [("max abs error", number(v.max_abs_error)), ("max rel error", number(v.max_rel_error)),
            ("scale S", number(v.scale)), ("inputs", inputs), ("compared", v.target),
            ("non-finite outputs", f"{v.nonfinite:,}")]


def compiled_rows(c) -> list[tuple[str, str]]:
    j = c.to_json()
    roles = ", ".join(f"{n:,} {r}" for r, n in j["neurons_by_role"].items())
    bound = c.error_bound
    rows = [("strategy", f"{j['strategy']} ({j['activation']}, {j['dtype']}, {j['layout']} layout)"),
            ("hidden neurons", f"{j['hidden_neurons']:,}" + (f" ({roles})" if roles else "")),
            ("depth", f"{j['depth']} hidden layer(s)"), ("synapses", f"{j['synapses']:,}"),
            ("parameters", f"{j['parameters']:,}"), ("flat network", f"{j['flat_hidden_neurons']:,} hidden neurons"),
            ("max abs error", number(j["max_abs_error"])), ("max rel error", number(j["max_rel_error"])),
            ("error bound", number(bound.absolute) if bound.absolute is not None else f"none ({bound.reason})"),
            ("rel error bound", number(bound.relative)),
            ("tol", f"{j['tol']:g} (checked against the {j['check']}: {'met' if c.ok else 'not met'})")]
    if not j["exact"]:
        rows.append(("coefficients", j["coefficients"]))
    return rows


def figure(network) -> str:
    """The network's inline SVG where the drawing code can make one, else a note saying what it needs."""
    draw = getattr(network, "_repr_svg_", None)       # set by hamc.draw when the API is used
    svg = draw() if callable(draw) else None
    if svg:
        return f"<div>{svg}</div>"
    return "<p><em>No figure of the network: import hamc.draw to draw it.</em></p>"
