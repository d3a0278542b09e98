"""What the fake Discord recorded, as the texts a person reads, and checks on them.

Used by the pseudo-locale test (every word comes from the catalogue), the Bangla test
(the text is Bangla and complete) and the limits test (Discord's length limits hold).
Each text is a :class:`Shown`: where it was shown (``"reply content"``, ``"button
label"``, ``"modal title"``…) and the text, so a failure names both.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.kernel.i18n import PSEUDO_CLOSE, PSEUDO_OPEN
from testkit.fakediscord import FakeDiscord, InteractionRecord, Message
from testkit.fakediscord.state import walk_components

# Discord's limits on what a bot sends, by where the text is shown.
LIMITS = {
    "content": 2000,
    "embed title": 256,
    "embed description": 4096,
    "embed field name": 256,
    "embed field value": 1024,
    "embed footer": 2048,
    "embed author": 256,
    "button label": 80,
    "select placeholder": 150,
    "select option label": 100,
    "select option description": 100,
    "modal title": 45,
    "modal label": 45,
    "modal placeholder": 100,
    "thread name": 100,
}


@dataclass(frozen=True)
class Shown:
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r}"


def _embed_texts(embed: dict[str, Any]) -> Iterable[Shown]:
    if embed.get("title"):
        yield Shown("embed title", embed["title"])
    if embed.get("description"):
        yield Shown("embed description", embed["description"])
    for field in embed.get("fields") or []:
        yield Shown("embed field name", field.get("name") or "")
        yield Shown("embed field value", field.get("value") or "")
    if (embed.get("footer") or {}).get("text"):
        yield Shown("embed footer", embed["footer"]["text"])
    if (embed.get("author") or {}).get("name"):
        yield Shown("embed author", embed["author"]["name"])


def _component_texts(components: list[dict[str, Any]], *, in_modal: bool) -> Iterable[Shown]:
    for component in walk_components(components):
        kind = component.get("type")
        if kind == 2 and component.get("label"):  # button
            yield Shown("button label", component["label"])
        if kind in (3, 5, 6, 7, 8):  # select menus
            if component.get("placeholder"):
                yield Shown("select placeholder", component["placeholder"])
            for option in component.get("options") or []:
                yield Shown("select option label", option.get("label") or "")
                if option.get("description"):
                    yield Shown("select option description", option["description"])
        if kind == 4:  # text input
            if component.get("label"):
                yield Shown("modal label", component["label"])
            if component.get("placeholder"):
                yield Shown("modal placeholder", component["placeholder"])
        if kind == 18:  # a modal's Label
            if component.get("label"):
                yield Shown("modal label", component["label"])
            if component.get("description"):
                yield Shown("modal placeholder", component["description"])
        if kind == 10 and component.get("content"):  # text display
            yield Shown("content", component["content"])


def body_texts(body: dict[str, Any]) -> Iterable[Shown]:
    """The texts of a message body (content, embeds, components)."""
    if body.get("content"):
        yield Shown("content", body["content"])
    for embed in body.get("embeds") or []:
        yield from _embed_texts(embed)
    yield from _component_texts(body.get("components") or [], in_modal=False)


def message_texts(message: Message, first: dict[str, Any] | None = None) -> Iterable[Shown]:
    """A message as it was posted (``first``), as it is now and as every edit made it."""
    if first is not None:
        yield from body_texts(first)
    yield from body_texts(
        {"content": message.content, "embeds": message.embeds, "components": message.components}
    )
    for edit in message.edits:
        yield from body_texts(edit)


def modal_texts(modal: dict[str, Any]) -> Iterable[Shown]:
    if modal.get("title"):
        yield Shown("modal title", modal["title"])
    yield from _component_texts(modal.get("components") or [], in_modal=True)


def record_texts(record: InteractionRecord) -> Iterable[Shown]:
    """Everything the bot answered to one interaction: its reply (and the reply's edits),
    followups, edits of the message a button sat on, a modal, autocomplete choices."""
    if record.original is not None:
        yield from message_texts(record.original)
    elif record.callback_data:
        yield from body_texts(record.callback_data)
    for followup in record.followups:
        yield from message_texts(followup)
    for edit in record.edits:
        yield from body_texts(edit)
    if record.modal is not None:
        yield from modal_texts(record.modal)


@dataclass
class Seen:
    """What the fake recorded after a point in the test (:func:`mark`)."""

    fake: FakeDiscord
    message_ids: set[int]
    record_ids: set[int]
    channel_ids: set[int]
    edit_counts: dict[int, int]
    # The body each message was posted with: an edit (the live bracket, the roster)
    # replaces the content, and the first words must be checked too.
    first_bodies: dict[int, dict[str, Any]]

    def stop(self) -> None:
        """Stop recording the bodies of new messages."""
        self.fake.messages.__dict__.pop("create", None)

    def new_messages(self, guild_id: int, dm_channel_ids: Iterable[int]) -> list[Message]:
        """The bot's messages in the guild or these DMs posted, or edited, since."""
        dms = set(dm_channel_ids)
        return [
            m
            for m in self.fake.state.messages.values()
            if (m.id not in self.message_ids or len(m.edits) > self.edit_counts.get(m.id, 0))
            and (m.guild_id == guild_id or m.channel_id in dms)
            and m.author.bot
        ]

    def new_records(self) -> list[InteractionRecord]:
        return [r for r in self.fake.interactions.records.values() if r.id not in self.record_ids]


def mark(fake: FakeDiscord) -> Seen:
    messages = fake.state.messages
    seen = Seen(
        fake,
        set(messages),
        set(fake.interactions.records),
        set(fake.state.channels),
        {m.id: len(m.edits) for m in messages.values()},
        {},
    )
    post = fake.messages.create

    async def recording(*args: Any, **kwargs: Any) -> Message:
        message = await post(*args, **kwargs)
        seen.first_bodies[message.id] = copy.deepcopy(
            {"content": message.content, "embeds": message.embeds, "components": message.components}
        )
        return message

    fake.messages.create = recording  # type: ignore[method-assign]
    return seen


# --- checks --------------------------------------------------------------------------------

_MARKUP = re.compile(
    r"`[^`\n]*`"  # code spans: references, ids, codes shown verbatim
    r"|<(?:@[!&]?|#)\d+>"  # mentions
    r"|<t:-?\d+(?::[tTdDfFR])?>"  # Discord timestamps
    r"|</[\w -]+:\d+>"  # command mentions
    r"|(?:https?|attachment)://\S+"  # links
)
_LETTERS = re.compile(r"[^\W\d_]+")


def outside_catalogue(text: str) -> str:
    """The parts of ``text`` outside every ⟦…⟧ (nested wrappings count as one)."""
    depth, kept = 0, []
    for char in text:
        if char == PSEUDO_OPEN:
            depth += 1
        elif char == PSEUDO_CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def without_data(text: str, data: Iterable[str]) -> str:
    """``text`` without Discord markup (links first, so no name is taken out of a link)
    and people's data (names, ids, codes)."""
    text = _MARKUP.sub(" ", text)
    for value in sorted({d for d in data if d}, key=len, reverse=True):
        text = text.replace(value, " ")
        text = text.replace(_escaped(value), " ")
    return text.replace("\\", " ")


def _escaped(value: str) -> str:
    from cogs._safe import user_text

    return user_text(value)


def catalogue_leaks(shown: Iterable[Shown], data: Iterable[str]) -> list[str]:
    """Each text with words that came from neither the catalogue nor the data."""
    data = list(data)
    leaks = []
    for item in shown:
        words = _LETTERS.findall(without_data(outside_catalogue(item.text), data))
        if words:
            leaks.append(f"{item} — not from the catalogue: {' '.join(words)}")
    return leaks


def over_limits(shown: Iterable[Shown]) -> list[str]:
    """Each text longer than Discord allows where it is shown, or cut short (a wrapping
    opened and never closed: the text was truncated to fit)."""
    problems = []
    for item in shown:
        limit = LIMITS.get(item.where)
        if limit is not None and len(item.text) > limit:
            problems.append(f"{item} — {len(item.text)} characters, the limit is {limit}")
        if item.text.count(PSEUDO_OPEN) > item.text.count(PSEUDO_CLOSE):
            problems.append(f"{item} — cut short to fit")
    return problems


BENGALI = re.compile(r"[\u0980-\u09FF]")


def not_bangla(
    shown: Iterable[Shown], data: Iterable[str], english: Iterable[str] = ()
) -> list[str]:
    """Texts that are not Bangla: once data and markup are removed, most letters must be
    Bengali script and no English word may remain (except the product's own names)."""
    data = [*data, *english]
    problems = []
    for item in shown:
        rest = without_data(item.text, data)
        letters = [c for c in rest if c.isalpha()]
        latin = [w for w in _LETTERS.findall(rest) if not BENGALI.search(w)]
        if latin or (letters and sum(bool(BENGALI.match(c)) for c in letters) < 0.9 * len(letters)):
            problems.append(f"{item} — English left: {' '.join(latin) or '(script)'}")
    return problems
