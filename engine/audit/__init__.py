from engine.audit.log import (
    AuditService,
)

__all__ = [
    "AuditService",
]
