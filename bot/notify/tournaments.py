"""Announcements of a tournament's lifecycle in the server's announcement channel."""

from __future__ import annotations

from bot.notifier import Notifier, on
from cogs._safe import user_text
from cogs._tournament_render import tournament_embed, when
from engine.kernel.text import msg
from engine.tournaments import TournamentStatusChanged
from storage.models.enums import TournamentStatus

S = TournamentStatus


@on(TournamentStatusChanged)
async def announce_status(notifier: Notifier, event: TournamentStatusChanged) -> None:
    status = S(event.new_status)
    if status not in (S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED, S.CANCELLED):
        return  # live/completed belong to match day; archiving is silent
    summary = await notifier.services.tournaments.summary(event.tournament_id)
    t = summary.tournament
    if status is S.CANCELLED:
        await notifier.announce(
            event.guild_id,
            msg(
                "❌ **{name}** is cancelled.{reason} Every registration was cancelled; entry "
                "fees are refunded (coins at once, money by the organizers).",
                name=t.name,
                reason=msg(" Reason: {reason}", reason=event.reason) if event.reason else "",
            ),
        )
        return
    if status is S.PUBLISHED:
        title = f"📣 {t.name} is coming!"
        content = f"📣 **{user_text(t.name)}** is coming {when(t.starts_at, 'soon')}."
    elif status is S.REGISTRATION_OPEN:
        title = f"📝 Registration for {t.name} is open"
        closes = when(t.registration_closes_at, "the organizers close it")
        content = (
            f"📝 Registration for **{user_text(t.name)}** is open until {closes}: "
            f"{summary.slots_left} slots left. Sign up with /register."
        )
    else:
        title = f"🔒 Registration for {t.name} is closed"
        content = (
            f"🔒 Registration for **{user_text(t.name)}** is closed with "
            f"{summary.slots_taken} entries."
        )
    await notifier.announce(event.guild_id, content, embed=tournament_embed(summary, title=title))
