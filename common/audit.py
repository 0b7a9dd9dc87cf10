"""The client address on every audit entry.

`ClientAddressMiddleware` keeps the address of the request being served
(`common.http.client_ip`, which honours the trusted proxies) in a context variable, and a
`pre_save` receiver on Wagtail's log entries (`ModelLogEntry`, `PageLogEntry`) adds it to
the entry's data as `client_address` when the caller did not. Entries written outside a
request (commands, tasks) have none.

`connect()` (from `accounts.apps`) connects the receiver once.
"""

from contextvars import ContextVar

from django.db.models.signals import pre_save
from django.http import HttpRequest
from django.utils.functional import LazyObject, empty

from common.http import client_ip

CLIENT_ADDRESS = "client_address"

_client_address: ContextVar[str | None] = ContextVar("prichal_client_address", default=None)


def unwrapped(value):
    """`request.user` is a lazy object (django-otp wraps it once more), which Wagtail's log
    registry does not recognise as a model: it would skip the entry silently. Log
    `unwrapped(request.user)` instead."""
    while isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    return value


def current_client_address() -> str | None:
    """The client address of the request being served, or None."""
    return _client_address.get()


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _client_address.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)


def add_client_address(sender, instance, raw=False, **kwargs):
    """pre_save of a log entry: its data gets the request's client address."""
    if raw or instance.pk is not None:
        return
    address = _client_address.get()
    if address is None:
        return
    data = instance.data if isinstance(instance.data, dict) else {}
    if CLIENT_ADDRESS not in data:
        instance.data = {**data, CLIENT_ADDRESS: address}


def connect() -> None:
    from wagtail.models import ModelLogEntry, PageLogEntry

    for model in (ModelLogEntry, PageLogEntry):
        pre_save.connect(
            add_client_address, sender=model, dispatch_uid=f"common.audit.{model.__name__}"
        )
