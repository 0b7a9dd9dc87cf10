"""Which web node answered: with several nodes behind a load balancer, a response says
which one served it (`X-Served-By: $NODE_NAME`), for the operator following a request
through the logs and for the two-node test (tests/scaleout)."""

from django.conf import settings


class ServedByMiddleware:
    """First in MIDDLEWARE, so that a response kept by a page cache further in never
    carries the name of the node that rendered it to another node's visitors."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.node_name = settings.NODE_NAME

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Served-By"] = self.node_name
        return response
