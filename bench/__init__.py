"""balie's benchmarks: `python -m bench` prints every figure next to its target.

Not part of the test run: timings on a shared machine belong in a printed table with
medians, not in assertions that flake.
"""
