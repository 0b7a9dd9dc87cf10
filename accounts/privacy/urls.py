"""The customer's personal-data pages, under /<lang>/account/privacy/ (config/urls.py).
URL names are global (`account_privacy` …): the account pages link to them by name."""

from django.urls import path

from accounts.privacy import views

urlpatterns = [
    path("", views.privacy_view, name="account_privacy"),
    path("data.json", views.export_json_view, name="account_privacy_export"),
    path("data/", views.report_view, name="account_privacy_report"),
    path("consents/withdraw/", views.withdraw_view, name="account_privacy_withdraw"),
    path("erase/", views.erase_view, name="account_privacy_erase"),
    path("erase/confirm/", views.erase_confirm_view, name="account_privacy_erase_confirm"),
    path("erased/", views.erased_view, name="account_privacy_erased"),
]
