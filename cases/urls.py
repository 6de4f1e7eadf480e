from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("mine/", views.my_cases, name="mine"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("queues/", views.queue_list, name="queues"),
    path("queues/<slug:slug>/", views.queue_list, name="queue"),
    path("workload/", views.workload, name="workload"),
    path("reassign/", views.bulk_reassign, name="bulk_reassign"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/timeline/", views.case_timeline, name="timeline"),
    path("<int:pk>/person/", views.person_edit, name="person"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/link-person/", views.link_person, name="link_person"),
    path("<int:pk>/interviews/new/", views.interview_new, name="interview_new"),
    path("<int:pk>/send/", views.send_for_assessment, name="send"),
    path("<int:pk>/assess/", views.assess, name="assess"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/consents/", views.consent_add, name="consent_add"),
    path("<int:pk>/extensions/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/<slug:step>/", views.case_step, name="step"),
]
