"""Errors to a Sentry-compatible service (sentry.io, or a self-hosted Sentry/GlitchTip
that keeps the data in Russia) when SENTRY_DSN is set. Django's integration reports
unhandled exceptions and logged errors; `send_default_pii=False` keeps the user's address,
cookies and request bodies out, and `before_send` scrubs what still could carry personal
data or secrets: messages, exception values, request data, query string, headers, cookies,
breadcrumbs, extra and contexts (config.observe.scrub)."""

from config.observe.scrub import FILTERED, scrub, scrub_text

DROPPED_HEADERS = {"authorization", "cookie", "x-csrftoken", "proxy-authorization"}


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        headers = request.get("headers") or {}
        request["headers"] = {
            name: FILTERED if name.lower() in DROPPED_HEADERS else value
            for name, value in headers.items()
        }
        request.pop("env", None)
    user = event.get("user")
    if isinstance(user, dict):
        # Only the id: an e-mail, a name or an address identifies a person.
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for key in (
        "message",
        "logentry",
        "exception",
        "request",
        "breadcrumbs",
        "extra",
        "contexts",
        "tags",
        "threads",
        "transaction",
    ):
        if key in event:
            event[key] = scrub(event[key])
    return event


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return scrub(crumb)


def init(dsn: str, *, environment: str, release: str | None, traces_sample_rate: float):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        # Local variables of a stack frame hold the order being paid for.
        include_local_variables=False,
        max_request_body_size="never",
    )


__all__ = ["init", "scrub_event", "scrub_text"]
