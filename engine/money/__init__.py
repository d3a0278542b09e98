from engine.money.events import (
    CoinsGranted,
    PaymentApproved,
    PaymentRefunded,
    PaymentRejected,
    RefundPending,
)
from engine.money.ledger import (
    MAX_BALANCE,
    MAX_GRANT,
    InsufficientCoins,
    LedgerEntryView,
    LedgerService,
    WalletView,
    insert_ignoring_conflicts,
    move_coins,
)
from engine.money.payments import (
    PaymentService,
    PaymentView,
)
from engine.money.refunds import (
    refund_cancelled_tournament,
    refund_registration_payments,
    refund_released_entry,
    refund_tournament_payments,
)
from engine.money.rules import (
    format_money,
    method_label,
)

__all__ = [
    "MAX_BALANCE",
    "MAX_GRANT",
    "CoinsGranted",
    "InsufficientCoins",
    "LedgerEntryView",
    "LedgerService",
    "PaymentApproved",
    "PaymentRefunded",
    "PaymentRejected",
    "PaymentService",
    "PaymentView",
    "RefundPending",
    "WalletView",
    "format_money",
    "insert_ignoring_conflicts",
    "method_label",
    "move_coins",
    "refund_cancelled_tournament",
    "refund_registration_payments",
    "refund_released_entry",
    "refund_tournament_payments",
]
