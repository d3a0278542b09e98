"""A bracket plan without real participants, as stable JSON and as plain text.

The JSON layout is documented in docs/bracket-preview.md; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.formats.bracket import Bracket, create_bracket
from engine.formats.kinds.group_playoff import GroupPlayoff, separate_group_mates
from engine.formats.kinds.swiss import Swiss
from engine.formats.model import Match, Participant, ParticipantId
from engine.formats.options import FormatOptions
from engine.formats.registry import FORMAT_LABELS
from engine.formats.seeding import apply_seeding, group_name

PREVIEW_VERSION = 1


def preview_plan(
    format: str,
    n_participants: int,
    seeding: str = "given",
    options: Mapping[str, Any] | FormatOptions | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Plan ``format`` for ``n_participants`` entrants numbered 1..n in registration order.

    ``seeding`` decides which entrant gets which seed ("given", "random" with ``seed``;
    "rating" and "manual" have no data here and keep the given order). Slots name seeds.
    """
    entrants = [Participant(i, f"Entrant {i}", i) for i in range(1, n_participants + 1)]
    method = seeding if seeding in ("given", "random") else "given"
    seeded = apply_seeding(entrants, method, seed)
    bracket = create_bracket(format, seeded, options, seed)
    seed_of = {p.id: p.seed for p in seeded}
    matches = [_match_json(m, lambda pid: {"seed": seed_of[pid]}) for m in bracket.matches.values()]
    notes: list[str] = []
    matches.extend(_conditional_reset(bracket, ""))
    matches.extend(_playoff_plan(bracket, notes))
    if isinstance(bracket.root, Swiss):
        notes.append("Only round 1 is shown: later Swiss rounds are paired from results.")
    return {
        "version": PREVIEW_VERSION,
        "format": format,
        "participants": n_participants,
        "seeding": seeding,
        "seed_order": [p.id for p in seeded],
        "options": bracket.options.to_dict(),
        "rounds_total": _rounds_total(bracket),
        "byes": sorted(seed_of[pid] for pid in _bye_receivers(bracket)),
        "matches": matches,
        "notes": notes,
    }


def _slot_json(match: Match, index: int, name: Any) -> dict[str, Any]:
    slot = match.slots[index]
    if slot.bye:
        return {"bye": True}
    if slot.participant is not None:
        return dict(name(slot.participant))
    return {"from": slot.source_outcome, "match": slot.source_match}


def _match_json(match: Match, name: Any) -> dict[str, Any]:
    return {
        "id": match.id,
        "round": match.round,
        "round_key": match.round_key,
        "round_title": match.round_title,
        "side": match.side,
        "group": match.group,
        "position": match.position,
        "best_of": match.best_of,
        "slots": [_slot_json(match, 0, name), _slot_json(match, 1, name)],
        "winner_to": match.winner_to.to_dict() if match.winner_to else None,
        "loser_to": match.loser_to.to_dict() if match.loser_to else None,
        "bye": match.is_bye,
        "conditional": False,
    }


def _conditional_reset(bracket: Bracket, prefix: str) -> list[dict[str, Any]]:
    options = bracket.options
    uses_double = bracket.format == "double_elim" or (
        bracket.format == "group_playoff" and options.playoff_format == "double_elim"
    )
    if not uses_double or options.grand_final != "reset":
        return []
    first = bracket.matches.get(f"{prefix}GF1")
    if first is None:
        return []
    return [
        {
            "id": f"{prefix}GF2",
            "round": first.round + 1,
            "round_key": first.round_key,
            "round_title": "Grand Final Reset",
            "side": "grand_final",
            "group": first.group,
            "position": 1,
            "best_of": first.best_of,
            "slots": [{"from": "loser", "match": first.id}, {"from": "winner", "match": first.id}],
            "winner_to": None,
            "loser_to": None,
            "bye": False,
            "conditional": True,
        }
    ]


def _playoff_plan(bracket: Bracket, notes: list[str]) -> list[dict[str, Any]]:
    """The playoff does not exist before the groups finish; plan it with group places."""
    root = bracket.root
    if not isinstance(root, GroupPlayoff):
        return []
    options = root.options
    group_of: dict[ParticipantId, int] = {}
    seeds: list[ParticipantId] = []
    for place in range(1, options.advance_per_group + 1):
        for g in range(len(root.groups)):
            token = f"{g}:{place}"
            group_of[token] = g
            seeds.append(token)
    ordered = separate_group_mates(seeds, group_of)
    stand_ins = [Participant(t, str(t), i) for i, t in enumerate(ordered, start=1)]
    plan_options = FormatOptions.from_mapping(
        {
            **options.to_dict(),
            "best_of": options.playoff_best_of or options.best_of,
            "round_best_of": {
                k[2:]: v for k, v in options.round_best_of.items() if k.startswith("P-")
            },
        }
    )
    playoff = create_bracket(options.playoff_format, stand_ins, plan_options)

    def name(token: Any) -> dict[str, Any]:
        g, place = str(token).split(":")
        return {"group": group_name(int(g)), "place": int(place)}

    notes.append("The playoff is created when the last group match is decided.")
    planned = [_match_json(m, name) for m in playoff.matches.values()]
    planned.extend(_conditional_reset(playoff, ""))
    return [_prefixed(m, "P-") for m in planned]


def _prefixed(match: dict[str, Any], prefix: str) -> dict[str, Any]:
    match = {**match, "id": prefix + match["id"], "round_key": prefix + match["round_key"]}
    for key in ("winner_to", "loser_to"):
        if match[key] is not None:
            match[key] = {**match[key], "match": prefix + match[key]["match"]}
    match["slots"] = [
        {**s, "match": prefix + s["match"]} if "match" in s else s for s in match["slots"]
    ]
    return match


def _rounds_total(bracket: Bracket) -> int | None:
    root = bracket.root
    if isinstance(root, Swiss):
        return root.total_rounds
    return None


def _bye_receivers(bracket: Bracket) -> list[ParticipantId]:
    receivers = []
    for match in bracket.matches.values():
        first, second = match.slots
        if first.bye != second.bye and (match.round == 1 and match.side != "losers"):
            receivers.append(first.participant if second.bye else second.participant)
    return [pid for pid in receivers if pid is not None]


def format_preview_text(plan: Mapping[str, Any]) -> str:
    """The human-readable form of :func:`preview_plan` for a terminal."""
    title = FORMAT_LABELS.get(plan["format"], plan["format"])
    lines = [f"{title} · {plan['participants']} participants · seeding: {plan['seeding']}"]
    if plan["seed_order"] != sorted(plan["seed_order"]):
        pairs = (f"{seed} = #{entrant}" for seed, entrant in enumerate(plan["seed_order"], 1))
        lines.append("Seeds (entrant numbers): " + ", ".join(pairs))
    if plan["byes"]:
        lines.append("Byes: " + ", ".join(f"seed {s}" for s in plan["byes"]))
    current = None
    for match in plan["matches"]:
        heading = match["round_title"] + (" (only if needed)" if match["conditional"] else "")
        if (match["round_key"], heading) != current:
            current = (match["round_key"], heading)
            lines.extend(["", heading])
        lines.append(_match_line(match))
    if plan["notes"]:
        lines.append("")
        lines.extend(plan["notes"])
    return "\n".join(lines)


def _match_line(match: Mapping[str, Any]) -> str:
    first, second = (_slot_text(s) for s in match["slots"])
    line = f"  {match['id']:<12} {first:>18}  vs  {second:<18}"
    if match["best_of"] > 1:
        line += f" Bo{match['best_of']}"
    moves = []
    if match["winner_to"]:
        moves.append(f"winner → {match['winner_to']['match']}")
    if match["loser_to"]:
        moves.append(f"loser → {match['loser_to']['match']}")
    return (line + "  " + ", ".join(moves)).rstrip()


def _slot_text(slot: Mapping[str, Any]) -> str:
    if slot.get("bye"):
        return "bye"
    if "seed" in slot:
        return f"seed {slot['seed']}"
    if "group" in slot:
        return f"{slot['group']}{slot['place']}"
    return f"{slot['from']} of {slot['match']}"
