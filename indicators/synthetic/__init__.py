"""Synthetic data for the demo, the tests and the benchmarks: never imported at run time
(`chorus synth` and `chorus demo` import it when they are asked to write a landing area)."""
