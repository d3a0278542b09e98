"""Which language a reader gets: a person's own choice, the server's default, English.

The choosing rule itself is :func:`engine.kernel.i18n.choose_language`; this service reads
the two stored choices (``user_settings.language``, ``guild_settings.language``) and
stores a person's choice.
"""

from __future__ import annotations

from engine.kernel.errors import InvalidInput
from engine.kernel.i18n import LANGUAGES, SOURCE_LANGUAGE, choose_language, known_language
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext
from storage.models import GuildSettings, UserSettings


class LanguageService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def server_language(self, guild_id: int | None) -> str:
        """The language of a server's public messages (English until one is chosen)."""
        if guild_id is None:
            return SOURCE_LANGUAGE
        async with self._ctx.read() as session:
            row = await session.get(GuildSettings, guild_id)
            return row.language if row is not None else SOURCE_LANGUAGE

    async def personal_language(self, user_id: int) -> str | None:
        async with self._ctx.read() as session:
            row = await session.get(UserSettings, user_id)
            return row.language if row is not None else None

    async def reader_language(
        self, user_id: int, guild_id: int | None, client_locale: str | None = None
    ) -> str:
        """The language of a private reply or DM to ``user_id``."""
        async with self._ctx.read() as session:
            person = await session.get(UserSettings, user_id)
            server = await session.get(GuildSettings, guild_id) if guild_id else None
        return choose_language(
            person.language if person is not None else None,
            client_locale,
            server.language if server is not None else None,
        )

    async def set_personal_language(self, user_id: int, language: str | None) -> str | None:
        """Store (or, with None, forget) a person's language; returns what is stored."""
        if language is not None and not known_language(language):
            raise InvalidInput(
                msg(
                    "“{language}” is not a language DeltaCrown speaks; choose one of: {languages}.",
                    language=language,
                    languages=", ".join(LANGUAGES),
                )
            )
        async with self._ctx.unit_of_work() as uow:
            row = await uow.session.get(UserSettings, user_id, with_for_update=True)
            if row is None:
                row = UserSettings(user_id=user_id)
                uow.session.add(row)
            row.language = language
            row.updated_at = uow.clock.now()
        return language
