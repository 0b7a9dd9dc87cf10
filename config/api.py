"""The public API under /api/v1/ with its OpenAPI schema at /api/v1/openapi.json.
Every refusal is JSON `{"code", "message"}` with the message in the request's language
(`Accept-Language`); nothing a client sends produces a 500. The schema documents every
status an operation can answer with (a schema fuzzer checks it: tests/booking/api)."""

from http.client import responses

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import create_model

from accounts.errors import AccountError
from booking.api.me import CsrfRefused
from booking.api.me import router as me_router
from booking.api.payments import router as payments_router
from booking.api.public import ErrorOut
from booking.api.public import router as booking_router
from booking.services.errors import BookingError
from common.errors import CodedError
from crm.api.endpoints import router as crm_router
from crm.checkin.api import router as checkin_router


class DocumentedRefusals(OpenAPISchema):
    """Adds to each operation the refusals that the handlers below answer for it, whether
    or not its view lists them: 422 when it takes parameters or a body, 400 and 413 when it
    takes a body, 401 when it needs a sign-in, 429 when it is throttled."""

    def responses(self, operation):
        result = super().responses(operation)
        statuses = []
        if operation.models:
            statuses.append(422)
        if any(m.__ninja_param_source__ in ("body", "form", "file") for m in operation.models):
            statuses += [400, 413]  # a body that cannot be parsed; one that is too large
        if operation.auth_callbacks:
            statuses.append(401)
        if operation.throttle_objects:
            statuses.append(429)
        if statuses:
            wrapped = create_model("ErrorResponse", response=(ErrorOut, ...))
            schema = self._create_schema_from_model(wrapped, mode="serialization")[0]
            content = {self.api.renderer.media_type: {"schema": schema}}
            for status in statuses:
                result.setdefault(status, {"description": responses[status], "content": content})
        return result


class PrichalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedRefusals(self, path_prefix)


api = PrichalAPI(
    title="Prichal API",
    version="1",
    description=(
        "Catalogue, departures, seat maps, holds, the signed-in customer's account and the "
        "CRM (staff, with personal API tokens)."
    ),
    urls_namespace="api-v1",
)

STATUS_BY_CODE = {
    "departure_not_found": 404,
    "hold_not_found": 404,
    "hold_expired": 410,
    "seat_taken": 409,
    "not_enough_places": 409,
    "hold_already_extended": 409,
    "hold_ordered": 409,
    "departure_cancelled": 409,
    "departure_past": 409,
    "departure_not_on_sale": 409,
    "busy": 503,
    "rate_limited": 429,
    "too_many_holds": 429,
    "too_many_places_held": 429,
    "order_not_found": 404,
    # Refunds refused by the order's state (booking.services.refunds); a choice that is
    # not valid (ticket_invalid, no_tickets, promo_minimum) is 422.
    "refund_window_passed": 409,
    "ticket_refunded": 409,
    "ticket_boarded": 409,
    "order_not_refundable": 409,
    # The CRM API (crm.api): a role without the permission; a customer not visible.
    "forbidden": 403,
    "customer_not_found": 404,
    "case_not_found": 404,
    # A resend for an order that is not (or no longer) paid: its state, not the input.
    "order_not_confirmed": 409,
}
# The signed-in customer's refusals (accounts.errors.AccountError); any other: 422.
ACCOUNT_STATUS_BY_CODE = {"email_unverified": 403}


@api.exception_handler(CodedError)
def coded_error(request, error: CodedError):
    statuses = ACCOUNT_STATUS_BY_CODE if isinstance(error, AccountError) else STATUS_BY_CODE
    return api.create_response(
        request,
        {"code": error.code, "message": error.message},
        status=statuses.get(error.code, 422),
    )


@api.exception_handler(CsrfRefused)
def csrf_refused(request, error):
    return api.create_response(
        request,
        {
            "code": "csrf_failed",
            "message": _(
                "The security token of the page is missing or out of date. Reload the "
                "page and try again."
            ),
        },
        status=403,
    )


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    fields = sorted(
        {".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in error.errors}
    )
    return api.create_response(
        request,
        {
            "code": "invalid_request",
            "message": _("The request is not valid. Check these fields: %(fields)s.")
            % {"fields": ", ".join(fields)},
        },
        status=422,
    )


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, error):
    return api.create_response(
        request,
        {"code": "request_too_large", "message": _("The request is too large.")},
        status=413,
    )


@api.exception_handler(Throttled)
def throttled(request, error: Throttled):
    error = BookingError("rate_limited")
    return api.create_response(request, {"code": error.code, "message": error.message}, status=429)


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    return api.create_response(
        request,
        {"code": "http_error", "message": _("The request could not be processed.")},
        status=error.status_code,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, error):
    return api.create_response(
        request, {"code": "unauthorized", "message": _("Please sign in.")}, status=401
    )


api.add_router("/", booking_router)
api.add_router("/payments/", payments_router)
api.add_router("/checkin/", checkin_router)
api.add_router("/me/", me_router)
api.add_router("/crm/", crm_router)
