from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("unassigned/", views.unassigned, name="unassigned"),
    path("<int:pk>/", views.case_detail, name="detail"),
]
