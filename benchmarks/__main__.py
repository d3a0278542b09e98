"""Run repeatable benchmarks and print one JSON object per line.

Usage: python -m benchmarks [suite ...]   (default: every suite)

A suite is a module ``benchmarks/<name>.py`` exposing ``run() -> Iterable[dict]``
(sync) or ``async def run() -> AsyncIterator[dict]``. Each dict is printed as one JSON
line with the suite name added. Benchmarks are never timed asserts in tests.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import sys
from collections.abc import Iterable

import benchmarks


def available_suites() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")
    )


async def _drain_async(gen) -> list[dict]:
    return [row async for row in gen]


def run_suite(name: str) -> Iterable[dict]:
    module = importlib.import_module(f"benchmarks.{name}")
    result = module.run()
    if inspect.isasyncgen(result):
        yield from asyncio.run(_drain_async(result))
    elif inspect.iscoroutine(result):
        yield from asyncio.run(result)
    else:
        yield from result


def main(argv: list[str]) -> int:
    suites = argv or available_suites()
    unknown = [s for s in suites if s not in available_suites()]
    if unknown:
        print(
            f"unknown suite(s): {', '.join(unknown)}; available: {', '.join(available_suites())}",
            file=sys.stderr,
        )
        return 2
    for name in suites:
        for row in run_suite(name):
            print(json.dumps({"suite": name, **row}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
