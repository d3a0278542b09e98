"""Maximum-cardinality matching in a general graph (Edmonds' blossom algorithm).

Used by the Swiss pairer to answer "can these players still all be paired without a
rematch?" for the small or heavily-played remainders where the degree bound does not.
"""

from __future__ import annotations

from collections.abc import Sequence


def maximum_matching(adjacency: Sequence[Sequence[int]]) -> list[int]:
    """``mate[v]`` for every vertex (-1 when unmatched). Greedy start, then augmenting
    paths found by BFS with blossom contraction: O(V^3), fine for the sizes used here."""
    size = len(adjacency)
    mate = [-1] * size
    for v in range(size):
        if mate[v] == -1:
            for w in adjacency[v]:
                if mate[w] == -1:
                    mate[v], mate[w] = w, v
                    break
    for root in range(size):
        if mate[root] == -1:
            end = _augmenting_path_end(adjacency, mate, root)
            _augment(mate, end)
    return mate


def has_perfect_matching(adjacency: Sequence[Sequence[int]]) -> bool:
    return len(adjacency) % 2 == 0 and -1 not in maximum_matching(adjacency)


def _augment(mate: list[int], path: tuple[int, list[int]] | None) -> None:
    if path is None:
        return
    v, parent = path
    while v != -1:
        pv = parent[v]
        next_v = mate[pv]
        mate[v], mate[pv] = pv, v
        v = next_v


def _augmenting_path_end(
    adjacency: Sequence[Sequence[int]], mate: list[int], root: int
) -> tuple[int, list[int]] | None:
    size = len(adjacency)
    parent = [-1] * size
    base = list(range(size))
    used = [False] * size
    used[root] = True
    queue = [root]
    head = 0
    while head < len(queue):
        v = queue[head]
        head += 1
        for to in adjacency[v]:
            if base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] != -1 and parent[mate[to]] != -1):
                current = _lowest_common_ancestor(base, mate, parent, v, to)
                in_blossom = [False] * size
                _mark_path(base, mate, parent, in_blossom, v, current, to)
                _mark_path(base, mate, parent, in_blossom, to, current, v)
                for i in range(size):
                    if in_blossom[base[i]]:
                        base[i] = current
                        if not used[i]:
                            used[i] = True
                            queue.append(i)
            elif parent[to] == -1:
                parent[to] = v
                if mate[to] == -1:
                    return to, parent
                used[mate[to]] = True
                queue.append(mate[to])
    return None


def _lowest_common_ancestor(
    base: list[int], mate: list[int], parent: list[int], a: int, b: int
) -> int:
    seen = set()
    while True:
        a = base[a]
        seen.add(a)
        if mate[a] == -1:
            break
        a = parent[mate[a]]
    while True:
        b = base[b]
        if b in seen:
            return b
        b = parent[mate[b]]


def _mark_path(
    base: list[int],
    mate: list[int],
    parent: list[int],
    in_blossom: list[bool],
    v: int,
    stop: int,
    child: int,
) -> None:
    while base[v] != stop:
        in_blossom[base[v]] = in_blossom[base[mate[v]]] = True
        parent[v] = child
        child = mate[v]
        v = parent[mate[v]]
