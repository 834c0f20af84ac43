"""Developer tools: synthetic-data generators, evaluation-set builders and the location of the
public data sets, used by ``vigie demo``, the benchmarks and the tests (ADR 0014).

Runtime code never imports this package: only the apps' ``demo.py``, tests, benchmarks and a
few developer commands do, inside the command (``vigie generate``, ``vigie finance train``).
``vigie.core.tests.test_layout`` fails on any other import.
"""
