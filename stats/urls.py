from django.urls import path

from stats import views

urlpatterns = [
    path("", views.statistics_page, name="statistics"),
    path(
        "<int:year>/download/<slug:fmt>/",
        views.statistics_download,
        name="statistics_download",
    ),
]
