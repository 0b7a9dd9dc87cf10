"""YooKassa's HTTP notifications: `POST /api/v1/payments/yookassa/notifications`.

YooKassa retries for about a day until it gets a 200, so every genuine notification we
have recorded is answered 200 (even if applying it failed: the reconciliation catches
up); malformed, disallowed and forged ones get a 4xx and change nothing."""

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.throttling import AnonRateThrottle

from booking.services.payments import NotificationRefused, notification_receive
from config.http import client_ip

router = Router(tags=["payments"])
MAX_BODY = 64 * 1024


@router.post(
    "/yookassa/notifications",
    auth=None,
    include_in_schema=False,
    throttle=[AnonRateThrottle("600/m")],
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
