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
    move_coins,
)
from engine.money.methods import (
    PAYMENT_METHODS,
    PaymentMethodSpec,
    PayRequest,
    Settlement,
    method_label,
    methods_text,
    payment_method,
    register_payment_method,
    unregister_payment_method,
)
from engine.money.payments import (
    BULK_LIMIT,
    BulkReview,
    PaymentService,
    PaymentView,
)
from engine.money.pools import (
    PoolExhausted,
    PoolReturn,
    PoolService,
    PoolView,
    empty_pool,
    fund_pool,
    pay_from_pool,
    pool_balance,
    pool_view,
)
from engine.money.refunds import (
    refund_cancelled_tournament,
    refund_registration_payments,
    refund_released_entry,
    refund_tournament_payments,
)
from engine.money.roster import (
    Participant,
    ParticipantsReport,
    RosterService,
)
from engine.money.rules import (
    format_money,
)
from engine.money.transfers import (
    MoneyMethod,
)

__all__ = [
    "BULK_LIMIT",
    "MAX_BALANCE",
    "MAX_GRANT",
    "PAYMENT_METHODS",
    "BulkReview",
    "CoinsGranted",
    "InsufficientCoins",
    "LedgerEntryView",
    "LedgerService",
    "MoneyMethod",
    "Participant",
    "ParticipantsReport",
    "PayRequest",
    "PaymentApproved",
    "PaymentMethodSpec",
    "PaymentRefunded",
    "PaymentRejected",
    "PaymentService",
    "PaymentView",
    "PoolExhausted",
    "PoolReturn",
    "PoolService",
    "PoolView",
    "RefundPending",
    "RosterService",
    "Settlement",
    "WalletView",
    "empty_pool",
    "format_money",
    "fund_pool",
    "method_label",
    "methods_text",
    "move_coins",
    "pay_from_pool",
    "payment_method",
    "pool_balance",
    "pool_view",
    "refund_cancelled_tournament",
    "refund_registration_payments",
    "refund_released_entry",
    "refund_tournament_payments",
    "register_payment_method",
    "unregister_payment_method",
]
