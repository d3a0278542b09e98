from __future__ import annotations

import pytest

from engine.render.bracket import render_bracket
from engine.render.cache import BracketImageCache
from engine.render.model import RenderedImage
from testkit import render_fixtures as f


def _image(name: str) -> list[RenderedImage]:
    return [RenderedImage(name, b"png", 1, 1)]


def test_second_call_does_not_render_again():
    cache = BracketImageCache()
    calls = []
    view = f.single_elim_view(8)

    def render() -> list[RenderedImage]:
        calls.append(1)
        return render_bracket(view)

    first = cache.get_or_render(("t1", 3), render)
    second = cache.get_or_render(("t1", 3), render)
    assert len(calls) == 1
    assert [i.png_bytes for i in first] == [i.png_bytes for i in second]
    assert (cache.hits, cache.misses) == (1, 1)


def test_new_version_renders_and_old_entries_are_evicted():
    cache = BracketImageCache(max_entries=2)
    calls: list[str] = []

    def renderer(name: str):
        def render() -> list[RenderedImage]:
            calls.append(name)
            return _image(name)

        return render

    cache.get_or_render(("t1", 1), renderer("a"))
    cache.get_or_render(("t1", 2), renderer("b"))
    cache.get_or_render(("t1", 1), renderer("a-again"))  # hit: refreshes recency
    cache.get_or_render(("t2", 1), renderer("c"))  # evicts ("t1", 2)
    cache.get_or_render(("t1", 2), renderer("b-again"))
    assert calls == ["a", "b", "c", "b-again"]
    assert len(cache) == 2


def test_invalidate_and_bad_size():
    cache = BracketImageCache()
    cache.put("k", _image("x"))
    cache.invalidate("k")
    assert cache.get("k") is None
    with pytest.raises(ValueError):
        BracketImageCache(max_entries=0)
