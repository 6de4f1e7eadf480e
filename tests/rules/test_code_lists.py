"""The code lists as data: a code added from a date is offered from that date and counts
under the statistics category it names; a retired code leaves the forms but stays on its
records and in every statistic; no version drops a code or moves it to another category."""

import copy
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases import queues
from cases import services as case_services
from cases.forms import AssessmentForm, PlacementForm
from cases.models import Assessment, Case
from cmm.core.exceptions import Refused
from referrals import services as inquiry_services
from referrals.forms import InquiryForm
from referrals.models import Inquiry
from rules import codes
from rules.services import in_force, version_approve, version_propose
from rules.values import RuleError, parse
from stats.counting import statistics_for
from tests.factories import (
    UserFactory,
    assessment_data,
    case_in,
    inquiry_data,
    make_inquiry,
    person_data,
)
from tests.rules.test_pages import propose as propose_in_the_form

pytestmark = pytest.mark.django_db

ONLINE = {
    "code": "online_sexual",
    "da": "Seksuel udnyttelse online",
    "en": "Online sexual exploitation",
    "category": "sexual",
    "active": True,
}


@pytest.fixture
def sune(db):
    return UserFactory(username="sune", role="supervisor")


def values_with_codes(change) -> dict:
    values = copy.deepcopy(in_force().values)
    change(values["codes"])
    return values


def approved(proposer, approver, change, days: int = 1):
    version = version_propose(
        actor=proposer,
        effective_from=timezone.localdate() + timedelta(days=days),
        values=values_with_codes(change),
        reason="Ny kode i kodelisten.",
    )
    return version_approve(actor=approver, version_id=version.pk)


def offered(form, name: str) -> list[str]:
    return [code for code, _label in form.fields[name].choices if code]


def later(days: int = 2):
    return time_machine.travel(timezone.now() + timedelta(days=days))


def record_assessment(case: Case, actor, **data) -> Assessment:
    case_services.case_record_assessment(
        actor=actor, case_id=case.pk, version=case.version, data=assessment_data(**data)
    )
    return Assessment.objects.get(case=case)


def test_a_new_code_is_offered_from_its_date_and_counts_under_its_category(
    hanne, tove, karin, sune
):
    earlier = statistics_for(timezone.localdate().year - 1)
    approved(tove, sune, lambda lists: lists["exploitation_form"].insert(1, ONLINE))
    assert "online_sexual" not in offered(AssessmentForm(), "exploitation_form")
    assert "online_sexual" not in codes.known("exploitation_form")

    with later():
        assert offered(AssessmentForm(), "exploitation_form")[:2] == ["sexual", "online_sexual"]
        case = case_in("awaiting_cmm_assessment", hotline=hanne, supervisor=tove, contact=karin)
        # The new code is a form of sexual exploitation: its detail is the sexual kind.
        form = AssessmentForm(
            data={
                "version": case.version,
                "outcome": "trafficked",
                "decided_on": timezone.localdate().isoformat(),
                "contact_actor": "police",
                "exploitation_form": "online_sexual",
            }
        )
        assert not form.is_valid()
        assert form.errors["sexual_kind"] == ["Uddyb den valgte udnyttelsesform."]
        assessment = record_assessment(
            case,
            karin,
            exploitation_form="online_sexual",
            sexual_kind="prostitution",
            criminal_kinds=[],
        )
        with translation.override("da"):
            assert assessment.get_exploitation_form_display() == "Seksuel udnyttelse online"
        with translation.override("en"):
            assert assessment.get_exploitation_form_display() == "Online sexual exploitation"
        year = timezone.localdate().year
        figures = statistics_for(year)
        assert figures["assessed"]["by_exploitation"] == {"sexual": 1}
        assert figures["assessed"]["sexual_by_kind"] == {"prostitution": 1}
        assert figures["time_series"]["by_exploitation"][str(year)] == {"sexual": 1}
        # A queue filtered by the form of exploitation finds the new code under it.
        found = queues.apply_filters(Case.objects.all(), queues.CASE, {"exploitation": "sexual"})
        assert list(found) == [Case.objects.get(pk=case.pk)]
        # The earlier year's figures are as they were (its time series now runs to it).
        assert {k: v for k, v in statistics_for(year - 1).items() if k != "time_series"} == {
            k: v for k, v in earlier.items() if k != "time_series"
        }


def test_a_retired_code_leaves_the_forms_but_stays_on_its_records_and_in_the_statistics(
    hanne, tove, sune
):
    inquiry = make_inquiry(hanne, caller_type="siri")
    year = timezone.localdate().year
    before = statistics_for(year)
    assert before["hotline_calls"]["by_caller_type"]["siri"] == 1

    def retire_siri(lists):
        for entry in lists["contact_actor"]:
            if entry["code"] == "siri":
                entry["active"] = False

    approved(tove, sune, retire_siri)
    assert "siri" in offered(InquiryForm(), "caller_type")
    with later():
        assert "siri" not in offered(InquiryForm(), "caller_type")
        # The inquiry that has it keeps it: its own form still offers it, marked.
        own = InquiryForm(instance=Inquiry.objects.get(pk=inquiry.pk))
        with translation.override("da"):
            assert dict(own["caller_type"].field.choices)["siri"] == "SIRI (udgået)"
        assert Inquiry.objects.get(pk=inquiry.pk).get_caller_type_display() == "SIRI"
        # A new inquiry cannot choose it.
        form = InquiryForm(data={"caller_type": "siri"})
        assert not form.is_valid()
        assert "caller_type" in form.errors
        assert statistics_for(year) == before


def test_a_version_may_not_drop_a_code_or_move_it_to_another_category(tove, sune):
    def drop_siri(lists):
        lists["contact_actor"] = [e for e in lists["contact_actor"] if e["code"] != "siri"]

    with translation.override("en"), pytest.raises(Refused, match="siri cannot be removed: "):
        approved(tove, sune, drop_siri)

    def recount_prostitution(lists):
        lists["exploitation_form"][0]["category"] = "other"

    with translation.override("en"), pytest.raises(Refused, match="sexual counts under sexual"):
        approved(tove, sune, recount_prostitution)

    # A code added by one version keeps its category in the next.
    approved(tove, sune, lambda lists: lists["exploitation_form"].append(ONLINE), days=1)

    def recount_online(lists):
        lists["exploitation_form"].append({**ONLINE, "category": "other"})

    with translation.override("en"), pytest.raises(Refused, match="online_sexual counts under"):
        approved(tove, sune, recount_online, days=5)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({**ONLINE, "category": ""}, "Name the statistics category it counts under"),
        ({**ONLINE, "category": "prostitution"}, "Name the statistics category"),
        ({**ONLINE, "code": "Online Sexual"}, "lower-case letters, digits and _"),
        ({**ONLINE, "da": " "}, "The labels must be texts of 1 to 100 characters"),
        ({**ONLINE, "code": "sexual"}, "The code sexual appears twice"),
        ({k: v for k, v in ONLINE.items() if k != "active"}, "Must have exactly these fields"),
    ],
)
def test_a_new_code_must_be_complete(entry, message):
    values = values_with_codes(lambda lists: lists["exploitation_form"].append(entry))
    with translation.override("en"), pytest.raises(RuleError) as error:
        parse(values, timezone.localdate())
    assert message in " ".join(error.value.errors["codes.exploitation_form"])


def test_a_list_keeps_at_least_one_active_code():
    def retire_all(lists):
        for entry in lists["housing_type"]:
            entry["active"] = False

    with translation.override("en"), pytest.raises(RuleError) as error:
        parse(values_with_codes(retire_all), timezone.localdate())
    assert error.value.errors["codes.housing_type"] == ["At least one code must be active."]


def test_a_record_refuses_a_code_the_list_does_not_have():
    field = Inquiry._meta.get_field("caller_type")
    field.run_validators("police")
    with pytest.raises(ValidationError) as error:
        field.run_validators("no_such_caller")
    assert error.value.error_list[0].code == "invalid_choice"


def test_the_placement_form_offers_a_new_housing_type_from_its_date(tove, sune):
    safe_house = {
        "code": "safe_house",
        "da": "Beskyttet bolig",
        "en": "Safe house",
        "category": "specialised_crisis_centre",
        "active": True,
    }
    approved(tove, sune, lambda lists: lists["housing_type"].append(safe_house))
    assert "safe_house" not in offered(PlacementForm(), "housing_type")
    with later():
        assert offered(PlacementForm(), "housing_type")[-1] == "safe_house"


def test_a_new_code_proposed_in_the_form_is_compared_and_approved(login, tove, sune):
    new = {"code": "online_sexual", "da": ONLINE["da"], "en": ONLINE["en"], "category": "sexual"}
    response = propose_in_the_form(
        login(tove), new_codes={"exploitation_form": {**new, "order": 2, "active": True}}
    )
    assert response.status_code == 302, response.content.decode()
    page = login(sune).get(response["Location"]).content.decode()
    assert page.count("(ændret)") == 1
    assert "2. Seksuel udnyttelse online / Online sexual exploitation" in page
    assert "tæller som Seksuel udnyttelse" in page


def test_a_new_code_without_its_category_is_refused_in_the_form(login, tove):
    new = {"code": "online_sexual", "da": ONLINE["da"], "en": ONLINE["en"], "active": True}
    response = propose_in_the_form(login(tove), new_codes={"exploitation_form": new})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Angiv den statistikkategori, den tæller under" in page
    assert 'id="codes-exploitation_form" open' in page


def test_the_services_refuse_a_code_the_list_does_not_have(hanne, tove, karin):
    with translation.override("en"):
        with pytest.raises(Refused, match="no_such is not a code of the list"):
            inquiry_services.inquiry_create(
                actor=hanne, data=inquiry_data(caller_type="no_such"), persons=[]
            )
        with pytest.raises(Refused, match="no_such is not a code of the list"):
            inquiry_services.inquiry_create(
                actor=hanne,
                data=inquiry_data(),
                persons=[person_data(suspected_exploitation="no_such")],
            )
        assert not Inquiry.objects.exists()
        case = case_in("awaiting_cmm_assessment", hotline=hanne, supervisor=tove, contact=karin)
        with pytest.raises(Refused, match="Forms of exploitation"):
            record_assessment(case, karin, exploitation_form="no_such")
        assert not Assessment.objects.filter(case=case).exists()
