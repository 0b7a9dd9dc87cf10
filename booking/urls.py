from django.urls import path

from booking import views

app_name = "booking"

urlpatterns = [
    path("hold/", views.hold_create_view, name="hold-create"),
    path("hold/<slug:token>/", views.hold_view, name="hold"),
    path("hold/<slug:token>/extend/", views.hold_extend_view, name="hold-extend"),
    path("hold/<slug:token>/release/", views.hold_release_view, name="hold-release"),
]
