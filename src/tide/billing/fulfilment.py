"""What happens when a line is paid: each selling app registers a handler for its kind of line.

    # in membership/apps.py
    def ready(self):
        from tide.billing.fulfilment import register_fulfilment
        register_fulfilment("membership", membership_fulfil)

A handler runs inside the payment's transaction, once per line (billing marks the line
fulfilled under a row lock); if it raises, the payment is rolled back with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import InvoiceLine

Handler = Callable[["InvoiceLine"], None]

_handlers: dict[str, Handler] = {}


class UnknownFulfilment(LookupError):
    """A line's kind has no registered fulfilment: a programming error, never a member's."""


def register_fulfilment(kind: str, handler: Handler) -> None:
    """Register what to do when a line of `kind` is paid. Registering the same kind twice
    with a different handler is refused, so two apps cannot claim one kind."""
    if not kind or len(kind) > 40:
        raise ValueError("A fulfilment kind is a short, non-empty string.")
    existing = _handlers.get(kind)
    if existing is not None and existing is not handler:
        raise ValueError(f"A fulfilment for {kind!r} is already registered: {existing!r}.")
    _handlers[kind] = handler


def unregister_fulfilment(kind: str) -> None:
    """For tests."""
    _handlers.pop(kind, None)


def fulfilment_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise UnknownFulfilment(
            f"No fulfilment is registered for invoice lines of kind {kind!r}."
        ) from None


def nothing_to_deliver(line: InvoiceLine) -> None:
    """The handler of the built-in "manual" kind."""
