"""Benchmarks: each figure measured beside its limit in the same run (``python -m bench``)."""
