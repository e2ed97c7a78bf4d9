"""Domain events. A service says what happened (`publish(studio, "booking.created", booking)`);
subscribers react inside the same transaction, so what they record rolls back with it. The API
layer subscribes to turn events into signed webhooks (frontend_api.apps)."""

from collections.abc import Callable

Subscriber = Callable[[object, str, object], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def publish(studio, event: str, obj) -> None:
    for subscriber in _subscribers:
        subscriber(studio, event, obj)
