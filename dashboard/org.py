"""Organizer pages: login by one-time link, payment review, disputes, audit log.

Every page needs a session; every POST also needs the session's CSRF token. The guild
comes from ``?g=`` and must be one the session covers; the services then re-check the
organizer role as they do for Discord buttons, so both paths decide the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dashboard.live import serve_stream
from dashboard.security import STATUS_OF, LoginRequired, rate_limit
from dashboard.state import DashboardState, state
from dashboard.text import web_text
from engine.kernel.actors import Actor
from engine.kernel.errors import DomainError, PermissionDenied
from engine.kernel.text import N_, Message
from engine.money import PaymentView
from engine.site import DashboardSession, is_number
from storage.models.enums import PaymentStatus

routes = web.RouteTableDef()

SESSION_COOKIE = "dc_session"
# Request key: the user may read the server-wide pages (the audit log).
GUILD_ORGANIZER = web.RequestKey("dc_guild_organizer", bool)
RECENT_DECISIONS = 10
PROOF_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
DONE = {
    "approve": N_("Payment #{p} was approved. The player's entry is confirmed and they get a DM."),
    "reject": N_("Payment #{p} was rejected. The player gets a DM with your reason."),
    "refund": N_("Refund of payment #{p} recorded. The player gets a DM."),
    "refund-sent": N_("Payment #{p}: the refund is marked as sent. The player gets a DM."),
}


LOGIN_REQUIRED = N_(
    "You are not logged in, or your session ended. Run /dashboard in Discord to get a "
    "one-time login link in your DMs."
)
BAD_FORM = N_(
    "This form did not come from your dashboard session (its security token is missing or "
    "stale), so nothing was changed. Reload the page and try again."
)
AUDIT_CLOSED = N_(
    "The audit log covers every tournament of this server, so it is open to the server's "
    "organizers (the organizer role or Manage Server), not to co-organizers of one "
    "tournament."
)
NOT_YOURS = N_(
    "You do not organize that server, so its dashboard is closed to you. Pick one of your "
    "servers at the top of the page."
)


async def current_session(request: web.Request) -> DashboardSession:
    session = await state(request).auth.session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise LoginRequired(Message(LOGIN_REQUIRED))
    return session


async def _first_organized(request: web.Request, session: DashboardSession) -> int:
    """The first server of the session the user still organizes (the default page)."""
    tournaments = state(request).services.tournaments
    for grant in session.guilds:
        actor = session.actor(grant.guild_id)
        if actor is not None and await tournaments.may_organize_anything(actor, grant.guild_id):
            return grant.guild_id
    return session.guilds[0].guild_id


async def organizer(request: web.Request, session: DashboardSession) -> tuple[int, Actor]:
    """The guild picked with ``?g=`` (default: the first) and the organizer acting in it."""
    raw = request.query.get("g") or str(await _first_organized(request, session))
    actor = session.actor(int(raw)) if is_number(raw) else None
    if actor is None or actor.guild_id is None:
        raise PermissionDenied(Message(NOT_YOURS))
    # The session remembers roles from login time; the guild's organizer role and the
    # tournaments' staff may have changed since, so ask again. Each page then shows only
    # the tournaments this person runs (engine.tournaments.access).
    services = state(request).services
    if not await services.tournaments.may_organize_anything(actor, actor.guild_id):
        raise PermissionDenied(Message(NOT_YOURS))
    # The server-wide pages (the audit log) are shown to the server's organizers only.
    request[GUILD_ORGANIZER] = await services.guilds.is_guild_organizer(actor, actor.guild_id)
    return actor.guild_id, actor


async def checked_form(request: web.Request, session: DashboardSession) -> Mapping[str, Any]:
    form = await request.post()
    token = form.get("csrf")
    if not state(request).auth.csrf_ok(session, token if isinstance(token, str) else None):
        raise PermissionDenied(Message(BAD_FORM))
    return form


def page(
    request: web.Request,
    name: str,
    session: DashboardSession,
    guild_id: int,
    *,
    status: int = 200,
    **context: Any,
) -> web.Response:
    return state(request).templates.render(
        name,
        status=status,
        session=session,
        guild_id=guild_id,
        guild_name=next(g.guild_name for g in session.guilds if g.guild_id == guild_id),
        section=name.removeprefix("org_").removesuffix(".html"),
        show_audit=request.get(GUILD_ORGANIZER, True),
        **context,
    )


# -- login --------------------------------------------------------------------------------


@routes.get("/org/login/{token}")
async def login_page(request: web.Request) -> web.Response:
    """Shows the link's owner and a button; link previews and scanners that fetch the URL
    therefore cannot spend the link — only the POST does."""
    st = state(request)
    rate_limit(request, "login", st.config.login_attempts_per_minute)
    pending = await st.auth.peek(request.match_info["token"])
    return st.templates.render("login.html", pending=pending, token=request.match_info["token"])


@routes.post("/org/login/{token}")
async def login(request: web.Request) -> web.Response:
    st = state(request)
    rate_limit(request, "login", st.config.login_attempts_per_minute)
    if _cross_site(request):
        # Another site cannot log this browser into someone else's session (login CSRF).
        raise web.HTTPForbidden(text="Open the login link from your Discord DM directly.")
    opened = await st.auth.redeem(request.match_info["token"])
    response = web.HTTPSeeOther("/org/payments")
    response.set_cookie(
        SESSION_COOKIE,
        opened.cookie,
        max_age=int(st.auth.session_lifetime.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=st.config.secure_cookies,
        path="/",
    )
    raise response


@routes.post("/org/logout")
async def logout(request: web.Request) -> web.Response:
    session = await current_session(request)
    await checked_form(request, session)
    await state(request).auth.logout(request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.get("/org")
async def org_home(request: web.Request) -> web.Response:
    await current_session(request)
    raise web.HTTPSeeOther("/org/payments")


# -- payments -----------------------------------------------------------------------------


def _cross_site(request: web.Request) -> bool:
    """A request another site made the browser send. Browsers say so in Sec-Fetch-Site;
    older ones only send Origin (which is "null" under our no-referrer policy)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin not in (None, "null") and origin != f"{request.scheme}://{request.host}"


async def _payments(st: DashboardState, actor: Actor, guild_id: int) -> dict[str, Any]:
    """Pending proofs, plus the latest decisions (whichever side made them) for refunds."""
    pending = await st.services.payments.pending(actor, guild_id)
    waiting = {p.id for p in pending}
    decided_ids: list[int] = []
    for entry in await st.services.audit.recent(guild_id, limit=50, action_prefix="payment."):
        pid = int(entry.target_id) if entry.target_id and is_number(entry.target_id) else None
        if pid and pid not in waiting and pid not in decided_ids:
            decided_ids.append(pid)
    decided: list[PaymentView] = []
    for pid in decided_ids:
        if len(decided) == RECENT_DECISIONS:
            break
        try:
            decided.append(await st.services.payments.get(actor, pid))
        except PermissionDenied:
            continue  # a payment of a tournament this organizer does not run
    refundable = {PaymentStatus.APPROVED, PaymentStatus.REFUND_PENDING}
    return {"pending": pending, "decided": decided, "refundable": refundable}


@routes.get("/org/payments")
async def payments_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    done, pid = request.query.get("done", ""), request.query.get("p", "")
    notice = (
        web_text(Message(DONE[done], {"p": int(pid)})) if done in DONE and is_number(pid) else None
    )
    context = await _payments(state(request), actor, guild_id)
    return page(
        request, "org_payments.html", session, guild_id, notice=notice, error=None, **context
    )


@routes.get("/org/payments/live.html")
async def payments_live_part(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    context = await _payments(state(request), actor, guild_id)
    return page(request, "_payments_live.html", session, guild_id, **context)


async def _payments_refused(
    request: web.Request,
    session: DashboardSession,
    actor: Actor,
    guild_id: int,
    error: DomainError,
) -> web.Response:
    """The payment queue again, with the refusal on top (nothing was decided)."""
    status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
    context = await _payments(state(request), actor, guild_id)
    return page(
        request,
        "org_payments.html",
        session,
        guild_id,
        status=status,
        notice=None,
        error=web_text(error.text),
        **context,
    )


@routes.post(r"/org/payments/{payment_id:\d{1,18}}/{decision:approve|reject|refund|refund-sent}")
async def decide(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    form = await checked_form(request, session)
    payment_id, decision = int(request.match_info["payment_id"]), request.match_info["decision"]
    payments = state(request).services.payments
    reason = str(form.get("reason", ""))
    try:
        if decision == "approve":
            await payments.approve(actor, payment_id)
        elif decision == "reject":
            await payments.reject(actor, payment_id, reason)
        elif decision == "refund":
            await payments.refund(actor, payment_id, reason)
        else:
            await payments.mark_refund_sent(actor, payment_id, reason)
    except DomainError as error:
        return await _payments_refused(request, session, actor, guild_id, error)
    raise web.HTTPSeeOther(f"/org/payments?g={guild_id}&done={decision}&p={payment_id}")


@routes.get(r"/org/payments/{payment_id:\d{1,18}}/proof")
async def payment_proof(request: web.Request) -> web.Response:
    session = await current_session(request)
    _, actor = await organizer(request, session)
    data, content_type = await state(request).services.payments.proof(
        actor, int(request.match_info["payment_id"])
    )
    headers = {"Content-Security-Policy": "default-src 'none'; sandbox"}
    if content_type not in PROOF_TYPES:
        # Never let an uploaded file be read as a page by the browser.
        content_type = "application/octet-stream"
        headers["Content-Disposition"] = "attachment"
    return web.Response(body=data, content_type=content_type, headers=headers)


@routes.get("/org/events")
async def organizer_events(request: web.Request) -> web.StreamResponse:
    session = await current_session(request)
    guild_id, _ = await organizer(request, session)
    st = state(request)
    return await serve_stream(
        request, st.hub, {f"g:{guild_id}"}, st.config.heartbeat_seconds, organizer=True
    )


# -- disputes (the audit log is in dashboard/stats.py) --------------------------------------


@routes.get("/org/disputes")
async def disputes_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    disputes = await state(request).hooks.disputes.open_disputes(actor, guild_id)
    return page(request, "org_disputes.html", session, guild_id, disputes=disputes)


# -- bulk payment review --------------------------------------------------------------------


@routes.post("/org/payments/bulk")
async def decide_many(request: web.Request) -> web.Response:
    """The checkboxes of the payment queue: approve or reject the ticked proofs, each one
    its own decision through the payment service (a second submit changes nothing)."""
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    form = await checked_form(request, session)
    decision = str(form.get("decision", ""))
    ids = [int(v) for v in _all(form, "payment") if is_number(v, 18)]
    st = state(request)
    try:
        outcome = await st.services.payments.review_many(
            actor, ids, decision, str(form.get("reason", ""))
        )
    except DomainError as error:
        return await _payments_refused(request, session, actor, guild_id, error)
    verb = "approved" if decision == "approve" else "rejected"
    notice = f"{len(outcome.decided)} payment(s) {verb}; each player gets a DM."
    if outcome.refused:
        notice += " Left alone: " + "; ".join(
            f"#{pid}: {web_text(text)}" for pid, text in outcome.refused
        )
    context = await _payments(st, actor, guild_id)
    return page(
        request, "org_payments.html", session, guild_id, notice=notice, error=None, **context
    )


def _all(form: Mapping[str, Any], key: str) -> list[str]:
    getall = getattr(form, "getall", None)
    values = getall(key, []) if getall is not None else [form.get(key)]
    return [v for v in values if isinstance(v, str)]


# -- tournaments and their participants ----------------------------------------------------


ENTRY_DONE = {
    "prize": N_("The prize of {name} is marked paid; the winner gets a DM."),
    "remove": N_("The entry of {name} was removed; the player gets a DM with your reason."),
    "reject": N_("The registration of {name} was rejected; the player gets a DM with your reason."),
    "promote": N_("{name} moved up from the waitlist and gets a DM."),
}


@routes.get("/org/tournaments")
async def tournaments_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    services = state(request).services
    organized = await services.tournaments.organized_ids(actor, guild_id)
    views = await services.tournaments.search(guild_id, limit=200)
    mine = [v for v in views if organized is None or v.id in organized]
    return page(request, "org_tournaments.html", session, guild_id, tournaments=mine)


def _tournament_id(request: web.Request) -> int:
    raw = request.match_info["tournament_id"]
    if not is_number(raw, 18):
        raise web.HTTPNotFound()
    return int(raw)


async def _participants_page(
    request: web.Request,
    session: DashboardSession,
    guild_id: int,
    actor: Actor,
    tournament_id: int,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
) -> web.Response:
    services = state(request).services
    report = await services.roster.participants(actor, tournament_id)
    prizes = await services.prizes.prizes(tournament_id, guild_id)
    return page(
        request,
        "org_participants.html",
        session,
        guild_id,
        status=status,
        report=report,
        prizes=prizes,
        notice=notice,
        error=error,
        active={"awaiting_payment", "payment_review", "confirmed", "waitlisted"},
    )


@routes.get(r"/org/t/{tournament_id}/participants")
async def participants_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    tournament_id = _tournament_id(request)
    done, name = request.query.get("done", ""), request.query.get("name", "")
    notice = (
        web_text(Message(ENTRY_DONE[done], {"name": name[:64]})) if done in ENTRY_DONE else None
    )
    return await _participants_page(request, session, guild_id, actor, tournament_id, notice=notice)


@routes.get(r"/org/t/{tournament_id}/participants.csv")
async def participants_csv(request: web.Request) -> web.Response:
    session = await current_session(request)
    _, actor = await organizer(request, session)
    filename, data = await state(request).services.roster.participants_csv(
        actor, _tournament_id(request)
    )
    return web.Response(
        body=data,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@routes.post(r"/org/t/{tournament_id}/entries/{entry_id:\d{1,18}}/{action:remove|reject|promote}")
async def entry_action(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    form = await checked_form(request, session)
    tournament_id = _tournament_id(request)
    entry_id, action = int(request.match_info["entry_id"]), request.match_info["action"]
    registration = state(request).services.registration
    try:
        if action == "promote":
            view = await registration.promote(actor, entry_id)
        else:
            released = await registration.remove_entry(
                actor, entry_id, str(form.get("reason", "")), reject=action == "reject"
            )
            view = released.registration
    except DomainError as error:
        status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
        if isinstance(error, PermissionDenied):
            raise
        return await _participants_page(
            request,
            session,
            guild_id,
            actor,
            tournament_id,
            status=status,
            error=web_text(error.text),
        )
    query = urlencode({"g": guild_id, "done": action, "name": view.display_name})
    raise web.HTTPSeeOther(f"/org/t/{tournament_id}/participants?{query}")


@routes.post(r"/org/t/{tournament_id}/prizes/{entry_id:\d{1,18}}/paid")
async def prize_paid(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    form = await checked_form(request, session)
    tournament_id = _tournament_id(request)
    try:
        prize = await state(request).services.prizes.mark_paid(
            actor,
            tournament_id,
            int(request.match_info["entry_id"]),
            method=str(form.get("method", "")),
            reference=str(form.get("reference", "")),
        )
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
        return await _participants_page(
            request,
            session,
            guild_id,
            actor,
            tournament_id,
            status=status,
            error=web_text(error.text),
        )
    query = urlencode({"g": guild_id, "done": "prize", "name": prize.display_name})
    raise web.HTTPSeeOther(f"/org/t/{tournament_id}/participants?{query}")
