from django.urls import path

from cmm.audit import views

app_name = "audit"

urlpatterns = [
    path("cases/<int:pk>/", views.person_access, name="person"),
    path("users/<int:user_id>/", views.user_activity, name="user"),
    path("export/", views.export, name="export"),
]
