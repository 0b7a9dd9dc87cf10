"""The CRM API under /api/v1/crm/ (django-ninja, in the public API's OpenAPI schema):
search, an order, its refund quote and refund, a resend of its confirmation, a customer.
Staff only, with their personal API tokens (`crm.api.auth`); every record through the
permission policies of `crm.permissions`. The router is `crm.api.endpoints.router`."""
