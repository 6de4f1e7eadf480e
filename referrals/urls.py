from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("new/", views.inquiry_create, name="create"),
    path("<int:pk>/", views.inquiry_detail, name="detail"),
    path("<int:pk>/edit/", views.inquiry_edit, name="edit"),
    path("<int:pk>/<slug:step>/", views.inquiry_transition, name="transition"),
]
