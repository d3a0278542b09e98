"""Builders shared by the tests and the benchmarks: a configured server, tournaments,
registrations and payments made through the real services, bracket views to render, and
fake dashboard hooks.

Part of the dev install (never imported by the product: an import-linter contract), so
``tests/`` and ``benchmarks/`` both import from here and neither imports the other.
"""
