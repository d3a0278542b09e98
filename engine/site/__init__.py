from engine.site.auth import (
    BAD_LINK,
    EXPIRED_LINK,
    USED_LINK,
    DashboardAuthService,
    DashboardSession,
    LoginRefused,
    dashboard_logins,
    is_number,
    load_or_create_secret,
    signing_key,
)
from engine.site.public import (
    PublicSiteService,
)

__all__ = [
    "BAD_LINK",
    "EXPIRED_LINK",
    "USED_LINK",
    "DashboardAuthService",
    "DashboardSession",
    "LoginRefused",
    "PublicSiteService",
    "dashboard_logins",
    "is_number",
    "load_or_create_secret",
    "signing_key",
]
