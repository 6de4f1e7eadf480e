from django.urls import path

from repatriation import views

app_name = "repatriation"

urlpatterns = [
    path("start/<int:case_pk>/", views.return_start, name="start"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/edit/", views.return_edit, name="edit"),
    path("<int:pk>/payments/new/", views.payment_add, name="payment_add"),
    path("<int:pk>/<slug:step>/", views.return_step, name="step"),
]
