"""Benchmarks: `python -m bench` runs every area's `main()` and prints its figures."""
