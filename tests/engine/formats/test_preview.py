import json

from engine.formats import format_preview_text, preview_plan


def test_single_elimination_preview_json():
    plan = preview_plan("single_elim", 6)
    json.dumps(plan)
    assert plan["byes"] == [1, 2]
    first = plan["matches"][0]
    assert first["id"] == "W1-1"
    assert first["slots"] == [{"seed": 1}, {"bye": True}]
    assert first["winner_to"] == {"match": "W2-1", "slot": 0}
    final = next(m for m in plan["matches"] if m["id"] == "W3-1")
    assert final["slots"] == [
        {"from": "winner", "match": "W2-1"},
        {"from": "winner", "match": "W2-2"},
    ]


def test_double_elimination_preview_shows_the_conditional_reset():
    plan = preview_plan("double_elim", 8)
    reset = plan["matches"][-1]
    assert reset["id"] == "GF2" and reset["conditional"] is True
    drop = next(m for m in plan["matches"] if m["id"] == "L2-1")
    assert drop["slots"][1] == {"from": "loser", "match": "W2-2"}


def test_group_playoff_preview_plans_the_playoff_from_group_places():
    plan = preview_plan("group_playoff", 8, options={"groups": "2"})
    playoff = [m for m in plan["matches"] if m["id"].startswith("P-")]
    assert playoff[0]["slots"] == [{"group": "A", "place": 1}, {"group": "B", "place": 2}]
    assert playoff[0]["winner_to"]["match"] == "P-W2-1"


def test_random_seeding_is_reproducible():
    assert preview_plan("swiss", 9, "random", seed=4) == preview_plan("swiss", 9, "random", seed=4)
    assert preview_plan("swiss", 9, "random", seed=4)["seed_order"] != list(range(1, 10))


def test_text_preview():
    text = format_preview_text(preview_plan("single_elim", 6, options={"best_of": 3}))
    assert text.splitlines()[0] == "Single elimination · 6 participants · seeding: given"
    assert "Byes: seed 1, seed 2" in text
    assert "W1-2" in text and "seed 4  vs  seed 5" in text and "Bo3" in text
    assert "winner of W2-1" in text
