import pytest

from cases import services
from cases.models import CaseState
from cmm.audit.models import AuditEvent
from tests.factories import referred_case
from tests.race import postgresql_only, race


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_assigning_at_once_one_wins_the_other_is_told(hanne, tove, karin, kasper):
    case = referred_case(hanne)
    version = case.version

    outcomes = race(
        lambda: services.case_assign(
            actor=tove, case_id=case.pk, version=version, contact_person=karin
        ),
        lambda: services.case_assign(
            actor=tove, case_id=case.pk, version=version, contact_person=kasper
        ),
    )

    assert sorted(outcomes) == ["conflict", "done"]
    case.refresh_from_db()
    winner = karin if outcomes[0] == "done" else kasper
    loser = kasper if winner == karin else karin
    assert (case.state, case.contact_person) == (CaseState.AWAITING_INTERVIEW, winner)
    assert winner.has_perm("cases.view_case", case)
    assert not loser.has_perm("cases.view_case", case)
    assert AuditEvent.objects.for_object(case).filter(action="transition").count() == 1
