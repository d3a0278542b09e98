"""Team invites (DM with Accept/Decline buttons), registration announcements, waitlist DMs.

Delivery is at-least-once: announcements and DMs go through the notifier's keyed posts,
so a retry does not repeat them; an invite button answered twice is refused by the
service anyway. The server's name is read from the cache, else over REST (``guild_name``).
"""

from __future__ import annotations

from bot.notifier import Notifier, on
from cogs.teams import invite_text, invite_view
from engine.entries import (
    RegistrationCreated,
    RegistrationRemoved,
    TeamInviteAnswered,
    TeamInviteSent,
    TeamMemberKicked,
    TournamentFull,
    WaitlistPromoted,
)
from storage.models.enums import RegistrationStatus


async def _where(notifier: Notifier, guild_id: int | None) -> str:
    name = await notifier.guild_name(guild_id)
    return f" on **{name}**" if name else ""


@on(TeamInviteSent)
async def invite_sent(notifier: Notifier, event: TeamInviteSent) -> None:
    text = invite_text(
        event.team_name,
        event.team_tag,
        event.inviter_id,
        await notifier.guild_name(event.guild_id),
    )
    if await notifier.dm(event.user_id, text, view=invite_view(event.invite_id)):
        return
    if event.channel_id is None:
        return  # DMs closed and no channel to fall back to: the captain saw the reply
    # DMs are closed: the buttons only answer the invitee, so a public channel is safe.
    channel = await notifier.channel(event.channel_id)
    await notifier.send(
        channel,
        f"<@{event.user_id}> {text} (I could not DM you, so the buttons are here.)",
        view=invite_view(event.invite_id),
    )


@on(TeamInviteAnswered)
async def invite_answered(notifier: Notifier, event: TeamInviteAnswered) -> None:
    verb = "joined" if event.accepted else "declined the invite to"
    await notifier.dm(
        event.inviter_id,
        f"<@{event.user_id}> {verb} **{event.team_name}**{await _where(notifier, event.guild_id)}.",
    )


@on(TeamMemberKicked)
async def member_kicked(notifier: Notifier, event: TeamMemberKicked) -> None:
    await notifier.dm(
        event.user_id,
        f"You were removed from **{event.team_name}**{await _where(notifier, event.guild_id)} "
        "by its captain.",
    )


@on(RegistrationCreated)
async def registration_created(notifier: Notifier, event: RegistrationCreated) -> None:
    if event.status == RegistrationStatus.WAITLISTED:
        text = (
            f"📝 **{event.display_name}** joined the waitlist for **{event.tournament_name}** "
            f"(#{event.waitlist_position})."
        )
    else:
        text = f"📝 **{event.display_name}** registered for **{event.tournament_name}**."
    await notifier.announce(event.guild_id, text)


@on(TournamentFull)
async def tournament_full(notifier: Notifier, event: TournamentFull) -> None:
    await notifier.announce(
        event.guild_id,
        f"🔒 **{event.tournament_name}** is full ({event.max_participants} entries). "
        "New registrations join the waitlist and move up when a slot frees.",
    )


@on(WaitlistPromoted)
async def waitlist_promoted(notifier: Notifier, event: WaitlistPromoted) -> None:
    if event.status == RegistrationStatus.AWAITING_PAYMENT:
        step = "Pay the entry fee with /pay to confirm your place."
    else:
        step = "Your place is confirmed."
    await notifier.dm(
        event.user_id,
        f"🎉 A slot opened in **{event.tournament_name}**{await _where(notifier, event.guild_id)}: "
        f"{event.display_name} moved up from the waitlist. {step}",
    )


@on(RegistrationRemoved)
async def registration_removed(notifier: Notifier, event: RegistrationRemoved) -> None:
    what = (
        "disqualified from" if event.status == RegistrationStatus.DISQUALIFIED else ("removed from")
    )
    await notifier.dm(
        event.user_id,
        f"{event.display_name} was {what} **{event.tournament_name}**"
        f"{await _where(notifier, event.guild_id)} by an organizer.\nReason: {event.reason}",
    )
