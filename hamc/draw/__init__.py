"""Drawings of networks, plans and gates (DOT, TikZ, rendered files): a leaf that no core package imports."""
