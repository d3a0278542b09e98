"""Team invites (DM with Accept/Decline buttons), "full" announcements, waitlist DMs.
Each registration is shown in the live roster (``bot/notify/roster.py``), not posted.

Delivery is at-least-once: announcements and DMs go through the notifier's keyed posts,
so a retry does not repeat them; an invite button answered twice is refused by the
service anyway. The server's name is read from the cache, else over REST (``guild_name``).
"""

from __future__ import annotations

from bot.notifier import Notifier, on
from cogs._safe import pings
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
from engine.kernel.text import N_, Command, Message, User, msg
from storage.models.enums import RegistrationStatus


@on(TeamInviteSent)
async def invite_sent(notifier: Notifier, event: TeamInviteSent) -> None:
    text = invite_text(
        event.team_name, event.team_tag, event.inviter_id, await notifier.guild_name(event.guild_id)
    )
    words = await notifier.private_words(event.user_id, event.guild_id)
    if await notifier.dm(event.user_id, words(text), view=invite_view(event.invite_id, words)):
        return
    if event.channel_id is None:
        return  # DMs closed and no channel to fall back to: the captain saw the reply
    # DMs are closed: the buttons only answer the invitee, so a public channel is safe.
    channel = await notifier.channel(event.channel_id)
    public = await notifier.public_words(event.guild_id)
    await notifier.send(
        channel,
        public(
            msg(
                "{member} {invite} (I could not DM you, so the buttons are here.)",
                member=User(event.user_id),
                invite=text,
            )
        ),
        view=invite_view(event.invite_id, public),
        allowed_mentions=pings(users=[event.user_id]),
    )


@on(TeamInviteAnswered)
async def invite_answered(notifier: Notifier, event: TeamInviteAnswered) -> None:
    where = await notifier.where_clause(event.guild_id)
    who = {"member": User(event.user_id), "team": event.team_name, "where": where}
    await notifier.dm(
        event.inviter_id,
        msg("{member} joined **{team}**{where}.", **who)
        if event.accepted
        else msg("{member} declined the invite to **{team}**{where}.", **who),
        guild_id=event.guild_id,
    )


@on(TeamMemberKicked)
async def member_kicked(notifier: Notifier, event: TeamMemberKicked) -> None:
    await notifier.dm(
        event.user_id,
        msg(
            "You were removed from **{team}**{where} by its captain.",
            team=event.team_name,
            where=await notifier.where_clause(event.guild_id),
        ),
        guild_id=event.guild_id,
    )


@on(TournamentFull)
async def tournament_full(notifier: Notifier, event: TournamentFull) -> None:
    await notifier.announce(
        event.guild_id,
        msg(
            "🔒 **{tournament}** is full ({n} entries). New registrations join the waitlist "
            "and move up when a slot frees.",
            tournament=event.tournament_name,
            n=event.max_participants,
        ),
    )


@on(WaitlistPromoted)
async def waitlist_promoted(notifier: Notifier, event: WaitlistPromoted) -> None:
    if event.status == RegistrationStatus.AWAITING_PAYMENT:
        step = msg("Pay the entry fee with {pay} to confirm your place.", pay=Command("pay"))
    else:
        step = msg("Your place is confirmed.")
    await notifier.dm(
        event.user_id,
        msg(
            "🎉 A slot opened in **{tournament}**{where}: {entry} moved up from the waitlist. "
            "{step}",
            tournament=event.tournament_name,
            where=await notifier.where_clause(event.guild_id),
            entry=event.display_name,
            step=step,
        ),
        guild_id=event.guild_id,
    )


_EXPIRED_WHY = {
    RegistrationStatus.AWAITING_PAYMENT: N_(
        "the entry fee of **{entry}** was never paid, so the entry expired. Nothing was charged."
    ),
    RegistrationStatus.WAITLISTED: N_(
        "no slot freed up for **{entry}** on the waitlist, so you are not in the bracket this "
        "time. Thanks for signing up — see you at the next one!"
    ),
    RegistrationStatus.CONFIRMED: N_(
        "**{entry}** did not check in, so it is not in the bracket. Fees paid are refunded "
        "by the withdrawal rules."
    ),
}
_EXPIRED_OTHERWISE = N_("**{entry}** could not play, so it expired.")


@on(RegistrationExpired)
async def registration_expired(notifier: Notifier, event: RegistrationExpired) -> None:
    """The start closed an entry that could not play: tell each of its members why."""
    why = Message(
        _EXPIRED_WHY.get(RegistrationStatus(event.previous_status), _EXPIRED_OTHERWISE),
        {"entry": event.display_name},
    )
    for user_id in event.member_ids or [event.user_id]:
        await notifier.dm(
            user_id,
            msg(
                "⏹️ **{tournament}**{where} has started: {why}",
                tournament=event.tournament_name,
                where=await notifier.where_clause(event.guild_id),
                why=why,
            ),
            guild_id=event.guild_id,
        )


_REMOVED_WHAT = {
    RegistrationStatus.DISQUALIFIED: N_(
        "{entry} was disqualified from **{tournament}**{where} by an organizer."
    ),
    RegistrationStatus.REJECTED: N_(
        "{entry} was not accepted into **{tournament}**{where} by an organizer."
    ),
}
_REMOVED_OTHERWISE = N_("{entry} was removed from **{tournament}**{where} by an organizer.")


@on(RegistrationRemoved)
async def registration_removed(notifier: Notifier, event: RegistrationRemoved) -> None:
    """Every member of the entry hears what happened, why, and what came back to them."""
    what = Message(
        _REMOVED_WHAT.get(RegistrationStatus(event.status), _REMOVED_OTHERWISE),
        {
            "entry": event.display_name,
            "tournament": event.tournament_name,
            "where": await notifier.where_clause(event.guild_id),
        },
    )
    refund: Message | str = (
        msg(
            "\nWhat you paid is being refunded (coins at once; money is sent back by an organizer)."
        )
        if event.refunded_payments
        else ""
    )
    for user_id in event.member_ids or [event.user_id]:
        await notifier.dm(
            user_id,
            msg("{what}\nReason: {reason}{refund}", what=what, reason=event.reason, refund=refund),
            guild_id=event.guild_id,
        )
