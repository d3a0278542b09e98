"""Replayed brackets kept in memory, so that a result costs one action and not a replay.

A bracket is a pure function of its stored inputs and actions, and its row's ``version``
grows with every change. An entry maps a tournament to ((row id, version), bracket) and
is trusted only when the row, read under its lock, shows the same pair: a result
recorded by another process, or any writer that bumps the version, forces a replay.

Two rules keep a rolled-back transaction out of memory:

- :meth:`BracketCache.take` removes the entry, so a bracket being changed by a
  transaction is seen by nobody else, and is simply dropped when the transaction fails;
- entries are only put back from ``UnitOfWork.after_commit``, with the committed version,
  and only when the row still holds that version then (a savepoint rolled back inside a
  committed transaction expires or discards the row, and the entry is not made).

Readers that must not change the bracket use :meth:`BracketCache.peek`. The cache is per
database engine (a test's database or a process's pool), bounded by tournament (LRU).
"""

from __future__ import annotations

from collections import OrderedDict
from weakref import WeakKeyDictionary

from sqlalchemy import inspect

from engine.formats import Bracket
from engine.kernel.uow import UnitOfWork
from storage.models import BracketState

# (BracketState.id, BracketState.version): the row id guards against a bracket row that
# was deleted and made again with version 1 for the same tournament.
StateKey = tuple[int, int]

DEFAULT_TOURNAMENTS = 32  # a big double elimination is a few MB in memory


class BracketCache:
    """At most ``max_tournaments`` replayed brackets, the least recently used evicted."""

    def __init__(self, max_tournaments: int = DEFAULT_TOURNAMENTS) -> None:
        self.max_tournaments = max_tournaments
        self._entries: OrderedDict[int, tuple[StateKey, Bracket]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def take(self, tournament_id: int, key: StateKey) -> Bracket | None:
        """The bracket at ``key`` for a caller that will change it; it leaves the cache."""
        entry = self._entries.pop(tournament_id, None)
        return self._count(entry is not None and entry[0] == key, entry)

    def peek(self, tournament_id: int, key: StateKey) -> Bracket | None:
        """The bracket at ``key`` for a caller that only reads it; it stays cached."""
        entry = self._entries.get(tournament_id)
        if entry is not None and entry[0] == key:
            self._entries.move_to_end(tournament_id)
            return self._count(True, entry)
        return self._count(False, None)

    def put(self, tournament_id: int, key: StateKey, bracket: Bracket) -> None:
        """Remember ``bracket`` as the committed state at ``key`` (call after commit)."""
        self._entries[tournament_id] = (key, bracket)
        self._entries.move_to_end(tournament_id)
        while len(self._entries) > self.max_tournaments:
            self._entries.popitem(last=False)

    def discard(self, tournament_id: int) -> None:
        self._entries.pop(tournament_id, None)

    def _count(self, hit: bool, entry: tuple[StateKey, Bracket] | None) -> Bracket | None:
        if hit and entry is not None:
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None


_CACHES: WeakKeyDictionary[object, BracketCache] = WeakKeyDictionary()


def cache_of(engine: object) -> BracketCache:
    """The cache of one database engine (``uow.session.bind``, ``Database.engine``):
    versions only mean something in the database they were read from."""
    cache = _CACHES.get(engine)
    if cache is None:
        cache = _CACHES[engine] = BracketCache()
    return cache


def key_of(state: BracketState) -> StateKey:
    return (state.id, state.version)


def put_after_commit(
    uow: UnitOfWork, tournament_id: int, state: BracketState, bracket: Bracket
) -> None:
    """Cache ``bracket`` as the state of ``state`` once (and only if) ``uow`` commits it."""
    cache, key = cache_of(uow.session.bind), key_of(state)

    def committed() -> None:
        if _still_at(state, key):
            cache.put(tournament_id, key, bracket)

    uow.after_commit(committed)


def _still_at(state: BracketState, key: StateKey) -> bool:
    """Whether the row kept ``key`` to the end: read without loading anything."""
    seen = inspect(state)
    return seen.identity == (key[0],) and seen.dict.get("version") == key[1]
