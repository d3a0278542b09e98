"""Team invites (DM with Accept/Decline buttons), "full" announcements, waitlist DMs.
Each registration is shown in the live roster (``bot/notify/roster.py``), not posted.

Delivery is at-least-once: announcements and DMs go through the notifier's keyed posts,
so a retry does not repeat them; an invite button answered twice is refused by the
service anyway. The server's name is read from the cache, else over REST (``guild_name``).
"""

from __future__ import annotations

from bot.notifier import Notifier, on
from cogs._safe import pings, user_text
from cogs.teams import invite_text, invite_view
from engine.entries import (
    RegistrationExpired,
    RegistrationRemoved,
    TeamInviteAnswered,
    TeamInviteSent,
    TeamMemberKicked,
    TournamentFull,
    WaitlistPromoted,
)
from storage.models.enums import RegistrationStatus


@on(TeamInviteSent)
async def invite_sent(notifier: Notifier, event: TeamInviteSent) -> None:
    text = invite_text(
        event.team_name, event.team_tag, event.inviter_id, await notifier.guild_name(event.guild_id)
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
        allowed_mentions=pings(users=[event.user_id]),
    )


@on(TeamInviteAnswered)
async def invite_answered(notifier: Notifier, event: TeamInviteAnswered) -> None:
    verb = "joined" if event.accepted else "declined the invite to"
    await notifier.dm(
        event.inviter_id,
        f"<@{event.user_id}> {verb} **{user_text(event.team_name)}**"
        f"{await notifier.where(event.guild_id)}.",
    )


@on(TeamMemberKicked)
async def member_kicked(notifier: Notifier, event: TeamMemberKicked) -> None:
    await notifier.dm(
        event.user_id,
        f"You were removed from **{user_text(event.team_name)}**"
        f"{await notifier.where(event.guild_id)} "
        "by its captain.",
    )


@on(TournamentFull)
async def tournament_full(notifier: Notifier, event: TournamentFull) -> None:
    await notifier.announce(
        event.guild_id,
        f"🔒 **{user_text(event.tournament_name)}** is full ({event.max_participants} entries). "
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
        f"🎉 A slot opened in **{user_text(event.tournament_name)}**"
        f"{await notifier.where(event.guild_id)}: "
        f"{user_text(event.display_name)} moved up from the waitlist. {step}",
    )


_EXPIRED_WHY = {
    RegistrationStatus.AWAITING_PAYMENT: (
        "the entry fee of {entry} was never paid, so the entry expired. Nothing was charged."
    ),
    RegistrationStatus.WAITLISTED: (
        "no slot freed up for {entry} on the waitlist, so you are not in the bracket this "
        "time. Thanks for signing up — see you at the next one!"
    ),
    RegistrationStatus.CONFIRMED: (
        "{entry} did not check in, so it is not in the bracket. Fees paid are refunded "
        "by the withdrawal rules."
    ),
}


@on(RegistrationExpired)
async def registration_expired(notifier: Notifier, event: RegistrationExpired) -> None:
    """The start closed an entry that could not play: tell each of its members why."""
    why = _EXPIRED_WHY.get(
        RegistrationStatus(event.previous_status), "{entry} could not play, so it expired."
    ).format(entry=f"**{user_text(event.display_name)}**")
    for user_id in event.member_ids or [event.user_id]:
        await notifier.dm(
            user_id,
            f"⏹️ **{user_text(event.tournament_name)}**{await notifier.where(event.guild_id)} has "
            f"started: {why}",
        )


_REMOVED_WHAT = {
    RegistrationStatus.DISQUALIFIED: "disqualified from",
    RegistrationStatus.REJECTED: "not accepted into",
}


@on(RegistrationRemoved)
async def registration_removed(notifier: Notifier, event: RegistrationRemoved) -> None:
    """Every member of the entry hears what happened, why, and what came back to them."""
    what = _REMOVED_WHAT.get(RegistrationStatus(event.status), "removed from")
    refund = (
        "\nWhat you paid is being refunded (coins at once; money is sent back by an organizer)."
        if event.refunded_payments
        else ""
    )
    for user_id in event.member_ids or [event.user_id]:
        await notifier.dm(
            user_id,
            f"{user_text(event.display_name)} was {what} **{user_text(event.tournament_name)}**"
            f"{await notifier.where(event.guild_id)} by an organizer.\n"
            f"Reason: {user_text(event.reason)}{refund}",
        )
