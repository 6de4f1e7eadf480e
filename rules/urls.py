from django.urls import path

from rules import views

app_name = "rules"
urlpatterns = [
    path("", views.version_list, name="list"),
    path("propose/", views.version_propose, name="propose"),
    path("<int:pk>/", views.version_detail, name="detail"),
    path("<int:pk>/decide/", views.version_decide, name="decide"),
]
