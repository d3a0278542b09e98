"""Pictures and certificates drawn in a process pool, as ``deltacrown run`` draws them.

The tests and the demo draw in threads; production hands the services a process pool
(``bot.runtime.render_pool``), which only works if every drawing function is top-level
and everything it is sent pickles. This proves that path end to end, refusals included.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from bot.runtime import render_pool
from engine.brackets import PictureService
from engine.kernel.errors import InvalidInput
from engine.kernel.offload import RenderExecutor
from engine.render.certificate import render_certificate
from engine.services import Services
from testkit.factories import make_event
from tests.engine.render.test_certificate import _data


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with render_pool() as executor:
        yield executor


async def test_pictures_are_drawn_in_worker_processes(
    services: Services, new_id, pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.ctx, "render", RenderExecutor(pool))
    event = await make_event(services, new_id, format="double_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    pictures = PictureService(services.ctx)
    images = await pictures.bracket_images(event.tournament_id)
    assert images and all(i.png_bytes.startswith(b"\x89PNG") for i in images)
    snapshot = await pictures.snapshot(event.tournament_id)
    first, count = await pictures.live_image(snapshot)
    assert count == len(images) and first.png_bytes.startswith(b"\x89PNG")
    assert (await pictures.standings_image(event.tournament_id)).startswith(b"\x89PNG")
    with pytest.raises(InvalidInput, match="no section 'swiss'"):
        await pictures.check_section(snapshot, "swiss")


async def test_certificates_are_drawn_in_worker_processes(pool: ProcessPoolExecutor) -> None:
    pdf = await RenderExecutor(pool).run(render_certificate, _data())
    assert pdf.startswith(b"%PDF")
