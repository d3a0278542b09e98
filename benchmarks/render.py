"""Rendering cost: a 256-player double-elimination image set (cold and cached) and a
batch of 64 certificates."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

from engine.render.bracket import render_bracket
from engine.render.cache import BracketImageCache
from engine.render.certificate import CertificateData, Placement, render_certificate
from engine.render.model import TournamentView
from testkit.render_fixtures import double_elim_view, player_name

CERTIFICATES = 64


def _bracket_rows(view: TournamentView) -> Iterator[dict]:
    cache = BracketImageCache()
    started = time.perf_counter()
    images = cache.get_or_render(("bench", 1), lambda: render_bracket(view))
    cold = time.perf_counter() - started
    started = time.perf_counter()
    cache.get_or_render(("bench", 1), lambda: render_bracket(view))
    cached = time.perf_counter() - started
    sizes = [len(image.png_bytes) for image in images]
    yield {
        "case": "double_elim_256_images",
        "images": len(images),
        "cold_s": round(cold, 3),
        "cached_s": round(cached, 6),
        "png_bytes_total": sum(sizes),
        "png_bytes_max": max(sizes),
        "largest_px": max((i.width, i.height) for i in images),
    }


def _certificate(i: int) -> CertificateData:
    placements = list(Placement)
    return CertificateData(
        tournament_name="DeltaCrown Benchmark Cup",
        game="Valorant",
        placement=placements[i % len(placements)],
        recipient_name=player_name(i + 1),
        issued_on=date(2026, 11, 26),
        organizer_name="Benchmark Org",
        verification_url=f"https://deltacrown.example/verify/BENCH-{i:04d}",
        verification_code=f"BENCH-{i:04d}",
    )


def _certificate_rows() -> Iterator[dict]:
    batch = [_certificate(i) for i in range(CERTIFICATES)]
    render_certificate(batch[0])  # font registration is once per process, not per PDF
    started = time.perf_counter()
    sizes = [len(render_certificate(data)) for data in batch]
    total = time.perf_counter() - started
    yield {
        "case": "certificates",
        "count": CERTIFICATES,
        "total_s": round(total, 3),
        "per_certificate_ms": round(1000 * total / CERTIFICATES, 1),
        "pdf_bytes_avg": sum(sizes) // len(sizes),
    }


def run() -> Iterator[dict]:
    yield from _bracket_rows(double_elim_view(256))
    yield from _certificate_rows()
