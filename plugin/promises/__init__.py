"""Promise extraction: which deadline an agent's public reply committed to (CONVENTIONS §3)."""

from plugin.promises.extract import Promise, find_promises, latest_promise

__all__ = ["Promise", "find_promises", "latest_promise"]
