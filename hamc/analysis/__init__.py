"""Hamiltonian -> facts about it: the analysis report, symmetry, translation stencils, and bounds on the input box."""
