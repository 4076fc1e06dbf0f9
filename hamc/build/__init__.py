"""(Hamiltonian, BuildOptions) -> Network: product plans, the tree, flat and bit constructions, gates and their scales."""
