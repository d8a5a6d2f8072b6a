"""Numba kernels: plain arrays in, plain arrays out; no files, no CRSs."""
