"""Replayed brackets kept in memory, so that a result costs one action and not a replay.

A bracket is a pure function of its stored inputs and actions, and its row's ``version``
grows with every change. An entry maps a tournament to ((row id, version), bracket) and
is trusted only when the row, read under its lock, shows the same pair: a result
recorded by another process, or any writer that bumps the version, forces a replay.

Two rules keep a rolled-back transaction out of memory:

- :meth:`BracketCache.take` removes the entry, so a bracket being changed by a
  transaction is seen by nobody else, and is simply dropped when the transaction fails;
- entries are only put back from ``UnitOfWork.after_commit``, with the committed version.

Readers that must not change the bracket use :meth:`BracketCache.peek`. The cache is per
database engine (a test's database or a process's pool), bounded by tournament (LRU).
"""

from __future__ import annotations

from collections import OrderedDict
from weakref import WeakKeyDictionary

from engine.formats import Bracket
from engine.kernel.uow import UnitOfWork

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


def cache_of(uow: UnitOfWork) -> BracketCache:
    """The cache of the database ``uow`` writes to: versions only mean something there."""
    engine = uow.session.bind
    cache = _CACHES.get(engine)
    if cache is None:
        cache = _CACHES[engine] = BracketCache()
    return cache


def put_after_commit(uow: UnitOfWork, tournament_id: int, key: StateKey, bracket: Bracket) -> None:
    """Cache ``bracket`` at ``key`` once (and only if) ``uow`` commits."""
    cache = cache_of(uow)
    uow.after_commit(lambda: cache.put(tournament_id, key, bracket))
