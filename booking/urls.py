from django.urls import path

from booking import checkout_views, rental_views, views

app_name = "booking"

urlpatterns = [
    path("hold/", views.hold_create_view, name="hold-create"),
    path("hold/<slug:token>/", views.hold_view, name="hold"),
    path("rental/<int:product_id>/quote/", rental_views.rental_quote_view, name="rental-quote"),
    path("rental/<int:product_id>/hold/", rental_views.rental_hold_view, name="rental-hold"),
    path("hold/<slug:token>/extend/", views.hold_extend_view, name="hold-extend"),
    path("hold/<slug:token>/release/", views.hold_release_view, name="hold-release"),
    path("checkout/<slug:token>/", checkout_views.checkout_view, name="checkout"),
    path("order/<slug:code>/<slug:secret>/", checkout_views.order_view, name="order"),
    path(
        "order/<slug:code>/<slug:secret>/status.json",
        checkout_views.order_status_view,
        name="order-status",
    ),
    path("order/<slug:code>/<slug:secret>/pay/", checkout_views.order_pay_view, name="order-pay"),
    path(
        "order/<slug:code>/<slug:secret>/tickets.pdf",
        checkout_views.order_pdf_view,
        name="order-pdf",
    ),
]
