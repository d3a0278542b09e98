"""Events: Profiles, teams, invites, registrations and the waitlist."""

from __future__ import annotations
