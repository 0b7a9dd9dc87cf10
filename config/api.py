"""The public API under /api/v1/ with its OpenAPI schema at /api/v1/openapi.json.
Every refusal is JSON `{"code", "message"}` with the message in the request's language
(`Accept-Language`); nothing a client sends produces a 500."""

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from booking.api import router as booking_router
from booking.checkin_api import router as checkin_router
from booking.payments.api import router as payments_router
from booking.services.errors import BookingError

api = NinjaAPI(
    title="Prichal API",
    version="1",
    description="Catalogue, departures, seat maps and holds of Prichal.",
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
}


@api.exception_handler(BookingError)
def booking_error(request, error: BookingError):
    return api.create_response(
        request,
        {"code": error.code, "message": error.message},
        status=STATUS_BY_CODE.get(error.code, 422),
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
