from django.urls import path

from cmm.audit import views

app_name = "audit"

# The person's page (audit:person, /audit/cases/<pk>/) is composed with these in cmm/urls.py:
# its view reads a course, so it lives with the courses (cases/views).

urlpatterns = [
    path("users/<int:user_id>/", views.user_activity, name="user"),
    path("export/", views.export, name="export"),
]
