"""The payment gateway interface and its YooKassa implementation (the official `yookassa`
SDK). This layer knows HTTP and the provider's vocabulary, nothing about our models:
services pass plain values in and get plain values back.

Every POST carries an `Idempotence-Key` the caller derives from its own record (e.g.
`payment-42`): the SDK would otherwise invent a random key, and a retried task would
create a second payment."""

import datetime
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
    created_at: datetime.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    payment_id: str
    status: str  # pending | succeeded | canceled
    amount: Decimal
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    created_at: datetime.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GatewayReceipt:
    """A receipt as the provider lists it: `amount` is what its settlements add up to;
    `settlement_types` says which ("prepayment" for a prepayment-settlement receipt,
    "cashless" for a sale's)."""

    id: str
    type: str  # payment | refund
    status: str  # pending | succeeded | canceled
    payment_id: str
    refund_id: str
    amount: Decimal
    settlement_types: tuple[str, ...]
    registered_at: datetime.datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


# Objects per page of a list (YooKassa's maximum) and pages followed at most: a list longer
# than that is cut rather than paged for ever (a reconciliation covers at most a year).
LIST_PAGE_SIZE = 100
LIST_MAX_PAGES = 1000


def _moment(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _iso_utc(moment: datetime.datetime) -> str:
    moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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
            created_at=_moment(data.get("created_at")),
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
            created_at=_moment(data.get("created_at")),
        )

    @staticmethod
    def _receipt(response) -> GatewayReceipt:
        data = dict(response)
        settlements = data.get("settlements") or []
        return GatewayReceipt(
            id=str(data["id"]),
            type=str(data.get("type", "")),
            status=str(data.get("status", "")),
            payment_id=str(data.get("payment_id") or ""),
            refund_id=str(data.get("refund_id") or ""),
            amount=sum((Decimal(str(s["amount"]["value"])) for s in settlements), Decimal("0.00")),
            settlement_types=tuple(str(s.get("type", "")) for s in settlements),
            registered_at=_moment(data.get("registered_at")),
            raw=data,
        )

    def _list(self, list_call, parse, created_from, created_to, extra=None) -> list:
        """Every object the list call answers for `created_from` <= created_at <
        `created_to`, following `next_cursor` from page to page."""
        params = {
            "created_at.gte": _iso_utc(created_from),
            "created_at.lt": _iso_utc(created_to),
            "limit": LIST_PAGE_SIZE,
            **(extra or {}),
        }
        objects, cursor = [], None
        for _page in range(LIST_MAX_PAGES):
            page = self._call(list_call, {**params, **({"cursor": cursor} if cursor else {})})
            objects.extend(parse(item) for item in page.items or [])
            cursor = page.next_cursor
            if not cursor:
                break
        else:
            logger.warning("YooKassa list cut after %s pages", LIST_MAX_PAGES)
        return objects

    def list_payments(
        self, created_from: datetime.datetime, created_to: datetime.datetime
    ) -> list[GatewayPayment]:
        """The shop's payments created in [created_from, created_to)."""
        return self._list(Payment.list, self._payment, created_from, created_to)

    def list_refunds(
        self, created_from: datetime.datetime, created_to: datetime.datetime
    ) -> list[GatewayRefund]:
        """The shop's refunds created in [created_from, created_to)."""
        return self._list(Refund.list, self._refund, created_from, created_to)

    def list_receipts(
        self,
        created_from: datetime.datetime,
        created_to: datetime.datetime,
        *,
        payment_id: str = "",
        refund_id: str = "",
    ) -> list[GatewayReceipt]:
        """The receipts created in [created_from, created_to): all the shop's, or those
        of one payment or one refund."""
        extra = {}
        if payment_id:
            extra["payment_id"] = payment_id
        if refund_id:
            extra["refund_id"] = refund_id
        return self._list(Receipt.list, self._receipt, created_from, created_to, extra)

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
