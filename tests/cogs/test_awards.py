"""Awards through the real discord.py client and the fake Discord: a tournament completes,
certificates are generated with a progress message and DMed; /certificate, /verify,
/certificates and /badges."""

from __future__ import annotations

from sqlalchemy import select

from engine.formats import Result
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from storage.models import Certificate
from storage.models.enums import RegistrationStatus
from testkit.payment_helpers import Guild, make_registration, make_tournament
from tests.cogs.conftest import Arena


async def _completed_cup(arena: Arena) -> tuple[int, list[int]]:
    """A two-player cup in the arena, played to the end through the services."""
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
        ),
    )
    guild = Guild(arena.guild.id, owner, arena.organizer_role_id)
    tid = await make_tournament(services, guild, name="Awards Cup")
    await services.tournaments.add_co_organizer(owner, tid, arena.organizer.id)
    regs = [
        await make_registration(services, guild, tid, p.id, status=RegistrationStatus.CONFIRMED)
        for p in arena.players
    ]
    await services.brackets.start(owner, tid, seed=1)
    [final] = await services.brackets.matches(tid, statuses=["ready"])
    scores = (2, 0) if final.registration_a_id == regs[0] else (0, 2)
    await services.brackets.apply(owner, tid, Result(final.code, scores))
    return tid, regs


async def test_completion_generates_and_dms_certificates(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    champion, runner_up = arena.players
    tid, _ = await _completed_cup(arena)

    progress = await fake.wait_for_message(
        lambda m: (
            m.channel_id == arena.announcements.id
            and m.content.startswith("✅ 2 certificates sent")
        ),
        timeout=20,
    )
    assert progress.edits, "the progress message is edited, not re-posted"
    assert not [
        m
        for m in fake.messages_in(arena.announcements)
        if m.content.startswith("Generating certificates")
    ]
    dm = await fake.wait_for_dm(champion)
    [pdf] = dm.attachments
    assert pdf.data.startswith(b"%PDF") and "**Champion** certificate" in dm.content
    assert "Badges earned:" in dm.content and "Champion" in dm.content
    second = await fake.wait_for_dm(runner_up)
    assert "**Runner-up** certificate" in second.content

    async with services.db.read() as session:
        code = await session.scalar(
            select(Certificate.code).where(
                Certificate.tournament_id == tid, Certificate.kind == "champion"
            )
        )
    assert code and code in dm.content

    mine = await arena.slash(champion, "certificate", {"tournament": str(tid)})
    fetched = await mine.wait_for_followup()
    assert mine.ephemeral and [f.filename for f in fetched.attachments] == [pdf.filename]
    assert fetched.attachments[0].data == pdf.data

    verified = await arena.slash(runner_up, "verify", {"code": code.lower()})
    [embed] = verified.embeds
    assert embed["title"] == "✅ Valid certificate"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Award"] == "Champion" and fields["Tournament"] == "Awards Cup"
    unknown = await arena.slash(runner_up, "verify", {"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert "No certificate has the code" in unknown.content

    badges = await arena.slash(runner_up, "badges show", {"member": champion.id})
    assert "Champion" in badges.embeds[0]["description"]
    profile = await arena.slash(runner_up, "profile show", {"member": champion.id})
    fields = {f["name"]: f["value"] for f in profile.embeds[0]["fields"]}
    assert "Champion" in fields["Badges"]

    # A regeneration edits the same progress message and DMs nobody twice.
    edits_before = len(progress.edits)
    again = await arena.slash(arena.organizer, "certificates generate", {"tournament": str(tid)})
    assert "Regenerating 2 certificates" in again.content
    await fake.wait_until(
        lambda: (
            len(progress.edits) >= edits_before + 2
            and progress.content.startswith("✅ 2 certificates sent")
        ),
        timeout=20,
    )
    assert len(fake.dms_to(champion)) == 1

    refused = await arena.slash(
        runner_up, "certificates revoke", {"code": code, "reason": "Cheating."}
    )
    assert "Only the organizers of" in refused.content
    revoked = await arena.slash(
        arena.organizer, "certificates revoke", {"code": code, "reason": "Cheating was proven."}
    )
    assert f"Certificate {code} is revoked" in revoked.content
    notice = await fake.wait_until(
        lambda: next((m for m in fake.dms_to(champion) if "was revoked" in m.content), None)
    )
    assert "Cheating was proven." in notice.content
    check = await arena.slash(runner_up, "verify", {"code": code})
    assert check.embeds[0]["title"] == "⛔ Revoked certificate"
    await arena.env.settle()
