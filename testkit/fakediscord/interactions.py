"""Interactions: what a test user triggers, and the bot's callbacks, followups and edits.

Discord's timing rules are enforced: the initial callback must arrive within the 3 s
acknowledgement window (later ones get 404 "Unknown interaction", 10062), an interaction
can be acknowledged once (400, 40060), and followups use the token for 15 minutes.
Autocomplete interactions are answered only with choices (callback type 8), validated
as Discord does; they have no followup webhook.
"""
# The waiting helpers take ``timeout=`` like asyncio.wait_for so tests read naturally.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads
from .http_util import (
    DiscordError,
    Upload,
    invalid_form,
    json_response,
    no_content,
    read_body,
)
from .state import Channel, Message, StoredFile, User

if TYPE_CHECKING:
    from .server import FakeDiscord

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}
CHAT_INPUT_COMMAND_MESSAGE = 20
# Application command option types, for checking autocomplete choice values.
STRING_OPTION, INTEGER_OPTION, NUMBER_OPTION = 3, 4, 10
MAX_CHOICES, MAX_CHOICE_LENGTH = 25, 100
# Discord's integer/number options hold values strictly between -2^53 and 2^53.
SAFE_INTEGER = 2**53


class InteractionExpired(AssertionError):
    """The bot missed Discord's 3 s acknowledgement window; users saw 'did not respond'."""


class AutocompleteRejected(AssertionError):
    """Discord refused the bot's choices; users saw 'Loading options failed'."""


@dataclass
class Rejection:
    status: int
    code: int
    message: str
    callback_type: int | None


class InteractionRecord:
    """One interaction sent to the bot and everything the bot did in answer to it."""

    def __init__(
        self,
        fake: FakeDiscord,
        *,
        type: int,
        user: User,
        channel: Channel,
        payload: dict[str, Any],
        source_message: Message | None,
        metadata: dict[str, Any],
        focused_option: dict[str, Any] | None = None,
    ) -> None:
        self.fake = fake
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type = type
        self.user = user
        self.channel = channel
        self.payload = payload
        self.source_message = source_message
        self.metadata = metadata
        # The definition of the option an autocomplete interaction is for (None otherwise).
        self.focused_option = focused_option
        loop = asyncio.get_running_loop()
        self.created_at = loop.time()
        self.callback_type: int | None = None
        self.callback_data: dict[str, Any] = {}
        self.original: Message | None = None
        self.followups: list[Message] = []
        self.edits: list[dict[str, Any]] = []
        self.rejections: list[Rejection] = []
        self.modal: dict[str, Any] | None = None
        self.original_deleted = False
        self.expired = False
        self._wake: asyncio.Task[None] | None = None
        self._deadline = loop.call_later(fake.ack_window, self._miss_deadline)

    def __repr__(self) -> str:
        return f"<InteractionRecord id={self.id} type={self.type} callback={self.callback_type}>"

    def _miss_deadline(self) -> None:
        if self.callback_type is None:
            self.expired = True
            # Keep a reference so the wake-up task is not garbage-collected mid-flight.
            self._wake = asyncio.get_running_loop().create_task(self.fake.state.notify())

    def cancel_timers(self) -> None:
        self._deadline.cancel()

    # ----- views for assertions -------------------------------------------------------
    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None

    @property
    def deferred(self) -> bool:
        return self.callback_type in (DEFERRED_MESSAGE, DEFERRED_UPDATE)

    @property
    def message(self) -> Message | None:
        """The message the callback produced or updated (None for modals/deferred updates)."""
        return self.original

    @property
    def flags(self) -> int:
        if self.original is not None and self.callback_type in (CHANNEL_MESSAGE, DEFERRED_MESSAGE):
            return self.original.flags
        return int(self.callback_data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & Message.EPHEMERAL)

    @property
    def content(self) -> str:
        return (
            self.original.content if self.original else str(self.callback_data.get("content") or "")
        )

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return (
            self.original.embeds if self.original else list(self.callback_data.get("embeds") or [])
        )

    @property
    def components(self) -> list[dict[str, Any]]:
        if self.original is not None:
            return self.original.components
        return list(self.callback_data.get("components") or [])

    @property
    def files(self) -> list[StoredFile]:
        return self.original.attachments if self.original else []

    @property
    def choices(self) -> list[dict[str, Any]]:
        """The autocomplete choices the bot answered with (empty until it answered)."""
        return list(self.callback_data.get("choices") or [])

    # ----- waiting --------------------------------------------------------------------
    async def response(self) -> InteractionRecord:
        """Wait for the initial callback; raise InteractionExpired if the bot was too slow."""
        await self.fake.state.wait_for(
            lambda: self.acknowledged or self.expired, timeout=self.fake.ack_window + 5
        )
        if not self.acknowledged:
            detail = f"; late callbacks: {self.rejections}" if self.rejections else ""
            raise InteractionExpired(
                f"bot did not acknowledge interaction {self.id} "
                f"within {self.fake.ack_window}s{detail}"
            )
        return self

    async def answer(self, timeout: float = 30) -> InteractionRecord | Message:
        """The bot's answer as the user sees it: after a defer ("thinking…") the first
        followup, which takes the loading message's place; else the initial response.
        Both have ``ephemeral``, ``content``, ``embeds`` and ``components``."""
        await self.response()
        if self.callback_type == DEFERRED_MESSAGE:
            return await self.wait_for_followup(0, timeout)
        return self

    async def wait_for_choices(self) -> list[dict[str, Any]]:
        """Wait for the bot's autocomplete answer and return its choices.

        Raises AutocompleteRejected as soon as Discord refused the bot's answer (rather than
        waiting out the window for a retry discord.py never makes), InteractionExpired if the
        bot did not answer within the window.
        """
        if self.type != AUTOCOMPLETE:
            raise TypeError(f"interaction {self.id} is not an autocomplete interaction")
        await self.fake.state.wait_for(
            lambda: self.acknowledged or self.expired or self.rejections,
            timeout=self.fake.ack_window + 5,
        )
        if not self.acknowledged and self.rejections:
            raise AutocompleteRejected(
                f"Discord refused the choices for interaction {self.id}: {self.rejections}"
            )
        await self.response()
        return self.choices

    async def wait_for_followup(self, index: int = 0, timeout: float = 30) -> Message:
        await self.response()
        await self.fake.state.wait_for(lambda: len(self.followups) > index, timeout)
        return self.followups[index]

    async def wait_for_edit(self, count: int = 1, timeout: float = 30) -> Message:
        """Wait until the original response was edited ``count`` times; returns it."""
        await self.response()
        await self.fake.state.wait_for(lambda: len(self.edits) >= count, timeout)
        assert self.original is not None
        return self.original

    async def wait_for_rejection(self, timeout: float = 10) -> Rejection:
        await self.fake.state.wait_for(lambda: self.rejections, timeout)
        return self.rejections[0]


def _reject(
    record: InteractionRecord, error: DiscordError, callback_type: int | None
) -> DiscordError:
    record.rejections.append(Rejection(error.status, error.code, error.message, callback_type))
    return error


class Interactions:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state
        self.records: dict[int, InteractionRecord] = {}

    def routes(self) -> list[web.RouteDef]:
        # Parameter names as in Discord's docs: the rate limiter keys buckets on them.
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        return [
            web.post("/interactions/{interaction_id}/{interaction_token}/callback", self.callback),
            web.post(hook, self.followup),
            web.get(hook + "/messages/{message_id}", self.get_webhook_message),
            web.patch(hook + "/messages/{message_id}", self.edit_webhook_message),
            web.delete(hook + "/messages/{message_id}", self.delete_webhook_message),
        ]

    def close(self) -> None:
        for record in self.records.values():
            record.cancel_timers()

    # ----- sending interactions to the bot --------------------------------------------
    async def fire(
        self,
        *,
        type: int,
        user: User,
        channel: Channel,
        data: dict[str, Any],
        source_message: Message | None = None,
        metadata_extra: dict[str, Any] | None = None,
        focused_option: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        fake = self.fake
        guild = self.state.guild_of(channel)
        interaction_id = self.state.snowflake()
        owners = {"0": str(guild.id) if guild else "0"}
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(fake.application_id),
            "type": type,
            "data": data,
            "channel_id": str(channel.id),
            "channel": {
                **payloads.channel_payload(self.state, channel),
                "permissions": str(fake.all_permissions_in(channel, user.id)),
            },
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "locale": user.locale,
            "app_permissions": str(fake.all_permissions_in(channel, fake.bot_user.id)),
            "entitlements": [],
            "authorizing_integration_owners": owners,
            "context": 0 if guild else 1,
            "attachment_size_limit": fake.attachment_size_limit,
        }
        if guild is not None:
            member = guild.members.get(user.id)
            if member is None:
                raise ValueError(f"{user.username} is not a member of guild {guild.name}")
            payload.update(
                guild_id=str(guild.id),
                guild_locale=guild.preferred_locale,
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                member=payloads.member_payload(
                    member, permissions=self.state.base_permissions(guild, user.id)
                ),
            )
        else:
            payload["user"] = payloads.user_payload(user)
        if source_message is not None:
            payload["message"] = payloads.message_payload(self.state, source_message)
        metadata = {
            "id": str(interaction_id),
            "type": type,
            "user": payloads.user_payload(user),
            "authorizing_integration_owners": owners,
            **(metadata_extra or {}),
        }
        record = InteractionRecord(
            fake,
            type=type,
            user=user,
            channel=channel,
            payload=payload,
            source_message=source_message,
            metadata=metadata,
            focused_option=focused_option,
        )
        self.records[record.id] = record
        await fake.gateway.dispatch(
            "INTERACTION_CREATE", payload, guild_id=guild.id if guild else None
        )
        return record

    def latest_modal(self, custom_id: str) -> InteractionRecord:
        for record in reversed(list(self.records.values())):
            if record.modal is not None and record.modal.get("custom_id") == custom_id:
                return record
        raise LookupError(f"the bot never opened a modal with custom_id {custom_id!r}")

    # ----- callback -------------------------------------------------------------------
    def _record(self, interaction_id: str, token: str) -> InteractionRecord:
        record = self.records.get(int(interaction_id))
        if record is None or record.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        return record

    async def callback(self, request: web.Request) -> web.Response:
        record = self._record(
            request.match_info["interaction_id"], request.match_info["interaction_token"]
        )
        body, uploads = await read_body(request)
        # Without ?with_response=true Discord answers 204 and returns no callback object.
        with_response = request.query.get("with_response", "").lower() in ("1", "true")
        try:
            return await self._callback(record, body, uploads, with_response=with_response)
        finally:
            # Wake waiters for both outcomes: acknowledgements and rejections.
            await self.state.notify()

    async def _callback(
        self,
        record: InteractionRecord,
        body: dict[str, Any],
        uploads: dict[int, Upload],
        *,
        with_response: bool = True,
    ) -> web.Response:
        callback_type = int(body.get("type", 0))
        if record.acknowledged:
            raise _reject(
                record,
                DiscordError(400, 40060, "Interaction has already been acknowledged."),
                callback_type,
            )
        elapsed = asyncio.get_running_loop().time() - record.created_at
        if record.expired or elapsed > self.fake.ack_window:
            record.expired = True
            raise _reject(record, DiscordError(404, 10062, "Unknown interaction"), callback_type)
        if callback_type not in ALLOWED_CALLBACKS.get(record.type, set()):
            raise _reject(
                record,
                invalid_form(
                    f"type: callback type {callback_type} is invalid "
                    f"for interaction type {record.type}"
                ),
                callback_type,
            )
        data = body.get("data") or {}
        try:
            resource = await self._apply_callback(record, callback_type, data, uploads)
        except DiscordError as error:
            # An invalid answer is refused and leaves the interaction unacknowledged.
            raise _reject(record, error, callback_type) from None
        record.callback_type = callback_type
        record.callback_data = data
        record.cancel_timers()
        await self.state.notify()
        if not with_response:
            return no_content()
        if callback_type == AUTOCOMPLETE_RESULT:
            # Choices create no message, so there is no resource and no message state.
            return json_response({"interaction": {"id": str(record.id), "type": record.type}})
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_loading": callback_type == DEFERRED_MESSAGE,
                "response_message_ephemeral": record.ephemeral,
            }
        }
        if record.original is not None and callback_type != DEFERRED_UPDATE:
            answer["interaction"]["response_message_id"] = str(record.original.id)
        if resource is not None:
            answer["resource"] = resource
        return json_response(answer)

    def _message_type(self, record: InteractionRecord) -> int:
        return CHAT_INPUT_COMMAND_MESSAGE if record.type == APPLICATION_COMMAND else 0

    async def _apply_callback(
        self,
        record: InteractionRecord,
        callback_type: int,
        data: dict[str, Any],
        uploads: dict[int, Upload],
    ) -> dict[str, Any] | None:
        messages = self.fake.messages
        if callback_type == AUTOCOMPLETE_RESULT:
            self._validate_choices(data, record.focused_option or {})
            return None
        if callback_type in (CHANNEL_MESSAGE, DEFERRED_MESSAGE):
            loading = Message.LOADING if callback_type == DEFERRED_MESSAGE else 0
            ephemeral = int(data.get("flags") or 0) & Message.EPHEMERAL
            body = data if callback_type == CHANNEL_MESSAGE else {"flags": ephemeral}
            record.original = await messages.create(
                record.channel,
                self.fake.bot_user,
                body,
                uploads,
                message_type=self._message_type(record),
                webhook_id=self.fake.application_id,
                interaction_metadata=record.metadata,
                extra_flags=loading | ephemeral,
            )
            return {
                "type": callback_type,
                "message": payloads.message_payload(self.state, record.original),
            }
        if callback_type in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if record.source_message is None:
                raise invalid_form("this interaction has no message to update")
            record.original = record.source_message
            if callback_type == DEFERRED_UPDATE:
                return None
            await messages.edit(record.source_message, data, uploads)
            return {
                "type": callback_type,
                "message": payloads.message_payload(self.state, record.original),
            }
        self._validate_modal(data)
        record.modal = data
        return None

    @staticmethod
    def _validate_choices(data: dict[str, Any], option: dict[str, Any]) -> None:
        choices = data.get("choices")
        if not isinstance(choices, list):
            raise invalid_form("data.choices: This field is required")
        if len(choices) > MAX_CHOICES:
            raise invalid_form(f"data.choices: Must be {MAX_CHOICES} or fewer in length.")
        kind = option.get("type", STRING_OPTION)
        for index, choice in enumerate(choices):
            where = f"data.choices.{index}"
            name = choice.get("name") if isinstance(choice, dict) else None
            if not isinstance(name, str) or not 1 <= len(name) <= MAX_CHOICE_LENGTH:
                raise invalid_form(f"{where}.name: Must be between 1 and 100 in length.")
            for locale, text in (choice.get("name_localizations") or {}).items():
                if not isinstance(text, str) or not 1 <= len(text) <= MAX_CHOICE_LENGTH:
                    raise invalid_form(
                        f"{where}.name_localizations.{locale}: Must be between 1 and 100 in length."
                    )
            value = choice.get("value")
            if kind == STRING_OPTION:
                if not isinstance(value, str):
                    raise invalid_form(f"{where}.value: Could not interpret {value!r} as string.")
                if len(value) > MAX_CHOICE_LENGTH:
                    raise invalid_form(f"{where}.value: Must be 100 or fewer in length.")
                continue
            number = (int, float) if kind == NUMBER_OPTION else (int,)
            if isinstance(value, bool) or not isinstance(value, number):
                expected = "number" if kind == NUMBER_OPTION else "integer"
                raise invalid_form(f"{where}.value: Value {value!r} is not a valid {expected}.")
            if not -SAFE_INTEGER < value < SAFE_INTEGER:
                raise invalid_form(f"{where}.value: Number is out of range.")

    @staticmethod
    def _validate_modal(data: dict[str, Any]) -> None:
        if not data.get("custom_id") or not 1 <= len(data.get("title") or "") <= 45:
            raise invalid_form("modal needs a custom_id and a 1-45 character title")
        if not 1 <= len(data.get("components") or []) <= 5:
            raise invalid_form("modal components: Must be between 1 and 5 in length.")

    # ----- webhooks (followups and original-response edits) ----------------------------
    def _webhook_record(self, request: web.Request) -> InteractionRecord:
        if int(request.match_info["webhook_id"]) != self.fake.application_id:
            raise DiscordError(404, 10015, "Unknown Webhook")
        token = request.match_info["webhook_token"]
        record = next((r for r in self.records.values() if r.token == token), None)
        if record is None or not record.acknowledged or record.type == AUTOCOMPLETE:
            # The followup webhook only exists once the interaction was acknowledged, and
            # never for autocomplete (choices are its only possible answer).
            raise DiscordError(404, 10015, "Unknown Webhook")
        age = asyncio.get_running_loop().time() - record.created_at
        if age > self.fake.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return record

    def _webhook_message(self, record: InteractionRecord, raw_id: str) -> Message:
        if raw_id == "@original":
            message = record.original
            if message is None or record.original_deleted:
                raise DiscordError(404, 10008, "Unknown Message")
            return message
        message = self.state.messages.get(int(raw_id))
        if (
            message is None
            or message.deleted
            or (message not in record.followups and message is not record.original)
        ):
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def followup(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        body, uploads = await read_body(request)
        original = record.original
        if (
            record.callback_type == DEFERRED_MESSAGE
            and original is not None
            and original.flags & Message.LOADING
        ):
            # Discord turns the first followup after a "thinking" defer into the original
            # response; ephemerality was fixed by the defer.
            message = await self.fake.messages.edit(original, body, uploads)
        else:
            message = await self.fake.messages.create(
                record.channel,
                self.fake.bot_user,
                body,
                uploads,
                message_type=self._message_type(record),
                webhook_id=self.fake.application_id,
                interaction_metadata=record.metadata,
            )
        record.followups.append(message)
        await self.state.notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(payloads.message_payload(self.state, message))
        return no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message_id"])
        return json_response(payloads.message_payload(self.state, message))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message_id"])
        body, uploads = await read_body(request)
        await self.fake.messages.edit(message, body, uploads)
        if message is record.original:
            record.edits.append(body)
        await self.state.notify()
        return json_response(payloads.message_payload(self.state, message))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message_id"])
        await self.fake.messages.delete(message)
        if message is record.original:
            record.original_deleted = True
        await self.state.notify()
        return no_content()
