"""Benchmarks: the synthetic corpus generator and the throughput/accuracy runs."""
