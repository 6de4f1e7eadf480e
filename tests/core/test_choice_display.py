"""A state's or a service's label, looked up (cmm.core.codes.choice_display)."""

from django.utils import translation

from cases.models import Case, CaseState
from cases.models.support import ServiceKind, SupportService
from repatriation.models import PreparedReturn, ReturnState


def test_the_label_is_the_active_languages_and_an_unknown_code_is_shown_as_it_is():
    case = Case(state=CaseState.IN_SUPPORT)
    with translation.override("en"):
        assert case.get_state_display() == "Receiving support"
    with translation.override("da"):
        assert case.get_state_display() == "Modtager støtte"
        assert SupportService(kind=ServiceKind.LEGAL_AID).get_kind_display() == (
            "Juridisk rådgivning"
        )
    assert SupportService(kind="retired_kind").get_kind_display() == "retired_kind"


def test_a_prepared_returns_step_is_labelled_in_the_active_language():
    prepared = PreparedReturn(state=ReturnState.APPLICATION)
    with translation.override("en"):
        assert prepared.get_state_display() == "1. Offer and application"
    with translation.override("da"):
        assert prepared.get_state_display() == "1. Tilbud og ansøgning"
