"""The payment gateway interface and its YooKassa implementation (the official `yookassa`
SDK). This layer knows HTTP and the provider's vocabulary, nothing about our models:
services pass plain values in and get plain values back.

Every POST carries an `Idempotence-Key` the caller derives from its own record (e.g.
`payment-42`): the SDK would otherwise invent a random key, and a retried task would
create a second payment."""

import functools
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import requests
from django.conf import settings
from yookassa import Configuration, Payment, Receipt, Refund
from yookassa.client import ApiClient
from yookassa.configuration import ConfigurationError
from yookassa.domain.exceptions import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    UnauthorizedError,
)

logger = logging.getLogger(__name__)

# (connect, read) seconds for every HTTP request the SDK makes.
DEFAULT_TIMEOUT = (5.0, 30.0)


def _install_request_timeout():
    """The SDK calls `requests` without a timeout, so an API that accepts the connection
    and never answers would hang the worker forever. Give every SDK session a default
    timeout, read from `Configuration.request_timeout` (set by the gateway)."""
    if getattr(ApiClient, "_prichal_timeout", False):
        return
    original = ApiClient.get_session

    def get_session(self):
        session = original(self)
        timeout = getattr(Configuration, "request_timeout", None) or DEFAULT_TIMEOUT
        session.request = functools.partial(session.request, timeout=timeout)
        return session

    ApiClient.get_session = get_session
    ApiClient._prichal_timeout = True


_install_request_timeout()


class GatewayError(Exception):
    """The provider could not be reached or answered with an error. `retryable` says
    whether the same call (with the same idempotence key) may succeed later."""

    def __init__(self, message: str, *, retryable: bool, code: str = ""):
        super().__init__(message)
        self.retryable = retryable
        self.code = code


class GatewayNotFound(GatewayError):
    def __init__(self, message: str):
        super().__init__(message, retryable=False, code="not_found")


@dataclass(frozen=True)
class GatewayPayment:
    id: str
    status: str  # pending | waiting_for_capture | succeeded | canceled
    paid: bool
    amount: Decimal
    refunded_amount: Decimal
    confirmation_url: str
    metadata: dict
    cancellation_reason: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    payment_id: str
    status: str  # pending | succeeded | canceled
    amount: Decimal
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def _money(amount: Decimal) -> dict:
    return {"value": f"{Decimal(str(amount)).quantize(Decimal('0.01'))}", "currency": "RUB"}


def _describe(error: ApiError) -> str:
    content = error.content or {}
    parts = [content.get("code", ""), content.get("description", "")]
    if content.get("parameter"):
        parts.append(f"({content['parameter']})")
    return " ".join(p for p in parts if p) or str(error)


class YooKassaGateway:
    def __init__(self, *, shop_id: str, secret_key: str, api_url: str, timeout=DEFAULT_TIMEOUT):
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.api_url = api_url
        self.timeout = timeout

    def _configure(self):
        if not self.shop_id or not self.secret_key:
            raise GatewayError(
                "YooKassa shop id and secret key are not configured",
                retryable=False,
                code="configuration",
            )
        # The SDK keeps its configuration in class attributes; set it on every call so that
        # tests and the emulator can point it elsewhere. (`timeout` here is the SDK's
        # backoff for HTTP 202 retries in milliseconds, not a request timeout.)
        Configuration.configure(
            self.shop_id, self.secret_key, api_url=self.api_url, timeout=1000, max_attempts=3
        )
        Configuration.request_timeout = self.timeout

    def _call(self, fn, *args):
        self._configure()
        try:
            return fn(*args)
        except NotFoundError as error:
            raise GatewayNotFound(_describe(error)) from error
        except (BadRequestError, UnauthorizedError, ForbiddenError, GoneError) as error:
            raise GatewayError(
                _describe(error), retryable=False, code=type(error).__name__
            ) from error
        except ApiError as error:
            # 429, 500 ("the outcome is unknown"), 202 still processing: retry with the
            # same key.
            raise GatewayError(
                _describe(error), retryable=True, code=type(error).__name__
            ) from error
        except requests.RequestException as error:
            raise GatewayError(str(error), retryable=True, code="network") from error
        except ConfigurationError as error:
            raise GatewayError(str(error), retryable=False, code="configuration") from error
        except AttributeError as error:
            # On a connection error or timeout the SDK does `e.response.status_code` with
            # `e.response` None; the real error is the one being handled.
            cause = error.__context__
            if isinstance(cause, requests.RequestException):
                raise GatewayError(str(cause), retryable=True, code="network") from cause
            raise
        except (ValueError, TypeError) as error:
            # The SDK validates requests before sending them (e.g. a receipt without the
            # customer's e-mail or phone) and raises these; resending cannot help.
            raise GatewayError(str(error), retryable=False, code="invalid_request") from error

    @staticmethod
    def _payment(response) -> GatewayPayment:
        data = dict(response)
        confirmation = data.get("confirmation") or {}
        refunded = data.get("refunded_amount") or {}
        cancellation = data.get("cancellation_details") or {}
        return GatewayPayment(
            id=data["id"],
            status=data["status"],
            paid=bool(data.get("paid")),
            amount=Decimal(data["amount"]["value"]),
            refunded_amount=Decimal(refunded.get("value", "0")),
            confirmation_url=confirmation.get("confirmation_url", ""),
            metadata=dict(data.get("metadata") or {}),
            cancellation_reason=cancellation.get("reason", ""),
            raw=data,
        )

    @staticmethod
    def _refund(response) -> GatewayRefund:
        data = dict(response)
        return GatewayRefund(
            id=data["id"],
            payment_id=data["payment_id"],
            status=data["status"],
            amount=Decimal(data["amount"]["value"]),
            raw=data,
        )

    def create_payment(
        self,
        *,
        amount: Decimal,
        description: str,
        return_url: str,
        metadata: dict,
        receipt: dict | None,
        idempotence_key: str,
    ) -> GatewayPayment:
        body = {
            "amount": _money(amount),
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": return_url},
            "description": description[:128],
            "metadata": {str(k): str(v) for k, v in metadata.items()},
        }
        if receipt:
            body["receipt"] = receipt
        return self._payment(self._call(Payment.create, body, idempotence_key))

    def capture_payment(
        self, *, payment_id: str, amount: Decimal, idempotence_key: str
    ) -> GatewayPayment:
        return self._payment(
            self._call(
                Payment.capture, str(payment_id), {"amount": _money(amount)}, idempotence_key
            )
        )

    def get_payment(self, payment_id: str) -> GatewayPayment:
        return self._payment(self._call(Payment.find_one, str(payment_id)))

    def create_refund(
        self,
        *,
        payment_id: str,
        amount: Decimal,
        description: str,
        receipt: dict | None,
        idempotence_key: str,
    ) -> GatewayRefund:
        body = {
            "payment_id": payment_id,
            "amount": _money(amount),
            "description": description[:250],
        }
        if receipt:
            body["receipt"] = receipt
        return self._refund(self._call(Refund.create, body, idempotence_key))

    def get_refund(self, refund_id: str) -> GatewayRefund:
        return self._refund(self._call(Refund.find_one, str(refund_id)))

    def create_receipt(self, *, receipt: dict, idempotence_key: str) -> dict:
        return dict(self._call(Receipt.create, receipt, idempotence_key))


def get_gateway() -> YooKassaGateway:
    return YooKassaGateway(
        shop_id=settings.YOOKASSA_SHOP_ID,
        secret_key=settings.YOOKASSA_SECRET_KEY,
        api_url=settings.YOOKASSA_API_URL,
    )
