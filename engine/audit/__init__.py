from engine.audit.log import (
    MONEY_ACTIONS,
    PRUNE_BATCH,
    PRUNE_TIMER,
    AuditFilter,
    AuditPage,
    AuditRecord,
    AuditService,
    prune_audit,
    register_timers,
)

__all__ = [
    "MONEY_ACTIONS",
    "PRUNE_BATCH",
    "PRUNE_TIMER",
    "AuditFilter",
    "AuditPage",
    "AuditRecord",
    "AuditService",
    "prune_audit",
    "register_timers",
]
