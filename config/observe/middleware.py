"""The operations endpoints, answered before any other middleware: no session, no CSRF,
no page cache, no language redirect, no authentication, no ALLOWED_HOSTS check (probes
and Prometheus address a node by its IP; nothing here builds a URL from the Host header).

- GET /health/live, /health/ready: public, personal-data free JSON (config.observe.health);
- GET /metrics: only with METRICS_TOKEN or from METRICS_ALLOWED_NETWORKS, else 404."""

from django.http import HttpResponse, JsonResponse

from config.observe import health, metrics

PATHS = {"/health/live", "/health/ready", "/metrics"}


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ObserveEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/") or "/"
        if path not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return _no_store(response)
        if path == "/health/live":
            return _no_store(JsonResponse({"status": "ok"}))
        if path == "/health/ready":
            ready, body = health.readiness()
            return _no_store(JsonResponse(body, status=200 if ready else 503))
        return _no_store(metrics.metrics_response(request))
