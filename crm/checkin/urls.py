"""Boarding check-in pages, mounted at /<lang>/staff/check-in/ (config/urls.py)."""

from django.urls import path

from crm.checkin import views as checkin_views

app_name = "checkin"

urlpatterns = [
    path("", checkin_views.index, name="index"),
    path("<int:departure_id>/", checkin_views.scanner, name="scanner"),
]
