"""The account's order pages, under /<lang>/account/ (config/urls.py)."""

from django.urls import path

from booking import account_views

urlpatterns = [
    path("orders/", account_views.orders_view, name="account_orders"),
    path("orders/<slug:code>/", account_views.order_view, name="account_order"),
    path("orders/<slug:code>/refund/", account_views.refund_view, name="account_order_refund"),
    path(
        "orders/<slug:code>/refund/confirm/",
        account_views.refund_confirm_view,
        name="account_order_refund_confirm",
    ),
    path("orders/<slug:code>/tickets.pdf", account_views.order_pdf_view, name="account_order_pdf"),
    path(
        "orders/<slug:code>/tickets/<int:ticket_id>.pdf",
        account_views.ticket_pdf_view,
        name="account_ticket_pdf",
    ),
    path("orders/<slug:code>/calendar.ics", account_views.order_ics_view, name="account_order_ics"),
]
