"""Event handlers of the Discord notifier, one module per area (see bot/notifier.py)."""
