"""The retention pages. They keep their names in the `cases` namespace (cases:retention,
cases:anonymise, cases:legal_hold) under /cases/: cmm/urls.py puts them in front of the
case's own routes."""

from django.urls import path

from retention import views

urlpatterns = [
    path("retention/", views.retention_list, name="retention"),
    path("<int:pk>/anonymise/", views.anonymise, name="anonymise"),
    path("<int:pk>/legal-hold/", views.legal_hold, name="legal_hold"),
    path("<int:pk>/subject-access/", views.subject_access, name="subject_access"),
]
