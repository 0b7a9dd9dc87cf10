"""YooKassa's HTTP notifications: `POST /api/v1/payments/yookassa/notifications`.

YooKassa retries for about a day until it gets a 200, so every notification we could
verify with the API is answered 200 (even if applying it failed: the reconciliation
catches up); one we could not verify because the API was unreachable gets a 503 so that
it comes again; malformed, disallowed and forged ones get a 4xx and change nothing."""

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.throttling import AnonRateThrottle

from booking.services.notifications import NotificationRefused, notification_receive
from common.http import client_ip

router = Router(tags=["payments"])
MAX_BODY = 64 * 1024

NOTIFICATION_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["type", "event", "object"],
                "properties": {
                    "type": {"type": "string", "enum": ["notification"]},
                    "event": {
                        "type": "string",
                        "enum": [
                            "payment.succeeded",
                            "payment.canceled",
                            "payment.waiting_for_capture",
                            "refund.succeeded",
                            "refund.canceled",
                        ],
                    },
                    "object": {
                        "type": "object",
                        "required": ["id", "status"],
                        "properties": {
                            "id": {
                                "type": "string",
                                "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                "[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                            },
                            "status": {"type": "string"},
                        },
                    },
                },
            }
        }
    },
}
TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}
# Integer keys like ninja's own: string keys would sit beside them as duplicates in the
# JSON, which Swagger UI's YAML parser refuses.
NOTIFICATION_RESPONSES = {
    200: {"description": "Verified with the API (and applied, or nothing to change)."},
    400: {"description": "Malformed, or forged (the API contradicts it).", **TEXT},
    403: {"description": "Sender outside YooKassa's addresses.", **TEXT},
    413: {"description": "Body larger than 64 KiB."},
    429: {"description": "Too many requests from this address."},
    503: {"description": "YooKassa could not be asked; deliver again later.", **TEXT},
}


@router.post(
    "/yookassa/notifications",
    auth=None,
    summary="YooKassa HTTP notification",
    throttle=[AnonRateThrottle("600/m")],
    openapi_extra={"requestBody": NOTIFICATION_BODY, "responses": NOTIFICATION_RESPONSES},
)
def yookassa_notification(request: HttpRequest):
    body = request.body
    if len(body) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        notification_receive(raw=body, remote_addr=client_ip(request))
    except NotificationRefused as refusal:
        return HttpResponse(refusal.reason, status=refusal.status, content_type="text/plain")
    return HttpResponse(status=200)
