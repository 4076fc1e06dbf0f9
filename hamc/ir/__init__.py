"""The intermediate representation: Hamiltonian, its polynomials, exact coefficients and term tables."""
