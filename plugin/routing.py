"""Router: handlers register on event names; routers compose into the one the worker runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from plugin.decisions import Decision

Handler = Callable[["object"], Iterable[Decision]]


@dataclass(frozen=True)
class Registration:
    """One handler and what it needs from the helpdesk beyond the event itself."""

    handler: Handler
    needs: frozenset[str]


class Router:
    """Maps event names (e.g. "ticket.created") to the handlers that want them."""

    def __init__(self, *routers: Router) -> None:
        self._table: dict[str, list[Registration]] = defaultdict(list)
        for router in routers:
            for name, registrations in router._table.items():
                self._table[name].extend(registrations)

    def register(self, *names: str, needs: Iterable[str] = ()) -> Callable[[Handler], Handler]:
        """Decorator: run the handler for each of NAMES; NEEDS names context parts to fetch."""

        def decorate(handler: Handler) -> Handler:
            for name in names:
                self._table[name].append(Registration(handler, frozenset(needs)))
            return handler

        return decorate

    def wants(self, name: str) -> bool:
        return bool(self._table.get(name))

    def registrations(self, name: str) -> list[Registration]:
        return list(self._table.get(name, ()))

    def names(self) -> list[str]:
        return sorted(self._table)
