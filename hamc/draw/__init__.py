"""Drawings of networks, plans and gates (DOT, TikZ, rendered files): a leaf that no core package imports."""
from .notebook import register_notebook_display, svg, to_dot

__all__ = ["register_notebook_display", "svg", "to_dot"]
