"""Errors raised by the bracket engine.

Every message is a complete sentence a player or organizer can read as is: it says what
went wrong and, where it helps, what to do next. The services layer shows them verbatim.
"""

from __future__ import annotations


class FormatError(Exception):
    """Base class of every error raised by ``engine.formats``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidOptions(FormatError):
    """The format, the options or the participant list cannot make a bracket."""


class InvalidParticipants(InvalidOptions):
    """The participant list is unusable (too few, duplicated ids or seeds)."""


class UnknownMatch(FormatError):
    """A match id does not exist in this bracket."""

    def __init__(self, match_id: str) -> None:
        super().__init__(f"There is no match {match_id} in this bracket; check the match id.")
        self.match_id = match_id


class MatchNotPlayable(FormatError):
    """The match cannot take a result now (waiting for players, finished or a bye)."""


class InvalidResult(FormatError):
    """The reported score is not a possible result for this match."""


class CannotUndo(FormatError):
    """The result cannot be taken back because later matches depend on it."""


class UnknownParticipant(FormatError):
    """A participant id does not belong to this bracket."""

    def __init__(self, participant_id: object) -> None:
        super().__init__(
            f"Participant {participant_id!r} is not part of this bracket; check the id."
        )
        self.participant_id = participant_id
