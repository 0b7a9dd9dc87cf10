"""Two-factor enrolment and verification, mounted at /admin/two-factor/ (config/urls)."""

from django.urls import path

from accounts.staff import views

app_name = "staff_two_factor"

urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
]
