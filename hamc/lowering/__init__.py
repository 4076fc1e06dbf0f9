"""Program -> Hamiltonian: parameters, declarations, sums and products over index sets, lattice sums."""
