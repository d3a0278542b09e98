"""Bracket and standings pictures: drawn from the stored bracket, cached by version."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import engine.brackets.pictures as pictures_module
from engine.brackets import PictureService
from engine.formats import Result
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.services import Services
from testkit.factories import make_event


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the draws that really happened (cache misses)."""
    calls: list[str] = []
    real_bracket, real_standings = pictures_module.render_bracket, pictures_module.render_standings

    def bracket(view, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("bracket")
        return real_bracket(view, **kwargs)

    def standings(table, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("standings")
        return real_standings(table, **kwargs)

    monkeypatch.setattr(pictures_module, "render_bracket", bracket)
    monkeypatch.setattr(pictures_module, "render_standings", standings)
    return calls


async def test_same_state_is_drawn_once_and_a_result_draws_again(
    services: Services, new_id, counted: list[str]
) -> None:
    event = await make_event(services, new_id, format="double_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    pictures = PictureService(services.ctx)
    first = await pictures.bracket_images(event.tournament_id)
    assert first and first[0].png_bytes.startswith(b"\x89PNG")
    again = await pictures.bracket_images(event.tournament_id)
    assert counted == ["bracket"]  # the second call did not draw
    assert [i.png_bytes for i in again] == [i.png_bytes for i in first]

    [ready, *_] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    await services.brackets.apply(event.organizer, event.tournament_id, Result(ready.code, (1, 0)))
    after = await pictures.bracket_images(event.tournament_id)
    assert counted == ["bracket", "bracket"]
    assert after[0].png_bytes != first[0].png_bytes

    losers = await pictures.bracket_images(event.tournament_id, "losers")
    assert [i.name for i in losers] == ["losers.png"]
    png = await pictures.standings_image(event.tournament_id)
    assert png == await pictures.standings_image(event.tournament_id)
    assert counted.count("standings") == 1


async def test_snapshot_carries_title_names_and_version(services: Services, new_id) -> None:
    event = await make_event(services, new_id, format="single_elim", players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    snapshot = await services.pictures.snapshot(event.tournament_id)
    assert snapshot.version == 1 and snapshot.status == "Live"
    assert snapshot.names[event.registrations[0]] == "Player 1"
    assert snapshot.guild_id == event.guild_id


async def test_refusals(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    pictures = PictureService(services.ctx)
    with pytest.raises(Conflict, match="has not started yet"):
        await pictures.bracket_images(event.tournament_id)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    with pytest.raises(NotFound):
        await pictures.bracket_images(event.tournament_id, guild_id=new_id())
    snapshot = await pictures.snapshot(event.tournament_id)
    with pytest.raises(InvalidInput, match="choose one of: bracket"):
        await pictures.check_section(snapshot, "losers")
    with pytest.raises(InvalidInput, match="no section 'losers'"):
        await pictures.bracket_images(event.tournament_id, "losers")


async def test_live_message_is_recorded(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    pictures = PictureService(services.ctx)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    assert await pictures.live_message(event.tournament_id) is None
    channel, message = new_id(), new_id()
    await pictures.record_live_message(event.tournament_id, channel, message)
    live = await pictures.live_message(event.tournament_id)
    assert live is not None and (live.channel_id, live.message_id) == (channel, message)


async def test_standings_image_of_a_big_field_shows_the_top_64(services: Services, new_id) -> None:
    async def height(players: int) -> int:
        event = await make_event(
            services,
            new_id,
            format="round_robin",
            players=players,
            options={"groups": players // 8},
        )
        await services.brackets.start(event.organizer, event.tournament_id, seed=1)
        png = await services.pictures.standings_image(event.tournament_id)
        with Image.open(io.BytesIO(png)) as image:
            return image.height

    # 64 rows drawn either way: the 80-player table is cut to its top 64.
    assert await height(80) == await height(64)
    assert await height(32) < await height(64)


async def test_live_image_is_the_first_of_the_full_set(services: Services, new_id) -> None:
    event = await make_event(services, new_id, format="double_elim", players=64)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    snapshot = await services.pictures.snapshot(event.tournament_id)
    first, count = await services.pictures.live_image(snapshot)  # drawn alone
    full = await services.pictures.images_of(snapshot)
    assert count == len(full) > 1
    assert first.png_bytes == full[0].png_bytes
    assert await services.pictures.live_image(snapshot) == (full[0], len(full))  # from cache
