"""Every mapped table; importing this package registers them all on ``Base.metadata``."""

from storage.models.audit import AuditEntry
from storage.models.base import Base
from storage.models.guild import GuildSettings
from storage.models.outbox import OutboxDelivery, OutboxEvent

__all__ = ["AuditEntry", "Base", "GuildSettings", "OutboxDelivery", "OutboxEvent"]
