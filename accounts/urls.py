"""The account's own pages under /<lang>/account/ (config/urls.py), next to allauth's
(sign-in, code, e-mail, password, social connections) and booking's order pages."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
    path("profile/", views.profile_view, name="account_profile"),
    # allauth's code request, where an unknown address also signs up (accounts/views.py);
    # before allauth's own URLs, which it shadows.
    path("login/code/", views.request_login_code, name="account_request_login_code"),
]
