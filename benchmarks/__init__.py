"""Benchmarks of cipp.cipp against the bundled emulator (issue 9): ``python -m benchmarks``."""
