import pytest
from django.db import transaction
from django.urls import reverse

from cmm.audit import services as audit
from cmm.audit.models import AppendOnlyError, AuditEvent
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_changed(hanne):
    event = AuditEvent.objects.for_object(make_inquiry(hanne)).first()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_an_event_cannot_be_deleted(hanne):
    make_inquiry(hanne)
    count = AuditEvent.objects.count()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.first().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_a_change_event_outside_a_transaction_is_refused(hanne):
    inquiry = make_inquiry(hanne)
    with pytest.raises(RuntimeError):
        audit.record(hanne, audit.Action.UPDATE, inquiry, changes={"x": [1, 2]})


def test_an_action_rolled_back_leaves_no_event(hanne):
    inquiry = make_inquiry(hanne)
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError), transaction.atomic():
        audit.record(hanne, audit.Action.UPDATE, inquiry, changes={"x": [1, 2]})
        raise ValueError
    assert AuditEvent.objects.count() == before


def test_events_name_the_record_by_reference_never_by_the_persons_name(hanne):
    inquiry = make_inquiry(hanne)
    refs = set(AuditEvent.objects.values_list("object_ref", flat=True))
    assert all(ref.startswith(inquiry.reference) for ref in refs)
    assert not any("Testperson" in ref for ref in refs)


def test_the_admin_shows_the_trail_read_only(admin_client, hanne):
    event = AuditEvent.objects.for_object(make_inquiry(hanne)).first()
    assert admin_client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert admin_client.post(change_url, {"reason": "x"}).status_code == 403
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_a_case_page_view_is_recorded_with_who_and_which(login, hanne, tove):
    case = make_inquiry(hanne, state="referred").persons.get().case
    login(tove).get(reverse("cases:detail", args=[case.pk]))
    event = AuditEvent.objects.for_object(case).get(action="view")
    assert (event.actor, event.object_ref) == (tove, case.reference)


def test_a_refused_view_is_not_recorded_as_a_view(login, hanne, karin):
    case = make_inquiry(hanne, state="referred").persons.get().case
    assert login(karin).get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert not AuditEvent.objects.for_object(case).filter(action="view").exists()
