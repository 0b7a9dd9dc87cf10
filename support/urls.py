"""The customer's side of support, under /<lang>/support/ (config/urls.py)."""

from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("new/", views.case_new_view, name="case_new"),
    path("sent/<int:number>/", views.case_sent_view, name="case_sent"),
    path("cases/", views.account_cases_view, name="account_cases"),
    path("cases/<int:number>/", views.account_case_view, name="account_case"),
    path("files/<str:token>/", views.attachment_view, name="attachment"),
]
