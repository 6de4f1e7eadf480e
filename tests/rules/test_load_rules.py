"""`manage.py load_rules`: an operator loads a rule file; a new installation may start from
another mechanism's file, and a course then runs under it without a code change."""

import copy
import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

import rules
from cases import services as case_services
from cases.models import Case
from cases.models.assessment import authority_for
from referrals.forms import InquiryForm
from repatriation import services as return_services
from rules.models import RuleVersion
from tests.factories import assessment_data, interview_data, make_inquiry

pytestmark = pytest.mark.django_db
MECHANISMS = Path(rules.__file__).parent / "mechanisms"
DENMARK, ILLUSTRATIVE = MECHANISMS / "denmark.json", MECHANISMS / "illustrative.json"


def load(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("load_rules", *(str(a) for a in args), stdout=out)
    return out.getvalue()


def rule_file(tmp_path, versions) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"format": 1, "mechanism": "Test", "versions": versions}))
    return path


def danish_version(**changes) -> dict:
    """The shipped Danish version, deep-copied, with settings changed ("group__name")."""
    entry = copy.deepcopy(json.loads(DENMARK.read_text(encoding="utf-8"))["versions"][0])
    for key, value in changes.items():
        group, name = key.split("__")
        entry["values"][group][name] = value
    return entry


def approved_versions():
    return list(
        RuleVersion.objects.filter(status="approved")
        .order_by("effective_from")
        .values_list("effective_from", "values")
    )


# Loading and checking ---------------------------------------------------------------------


def test_the_danish_file_is_what_the_migration_installed():
    assert "0 versions loaded, 1 already held" in load(DENMARK)
    assert len(approved_versions()) == 1


@pytest.mark.parametrize("path", [DENMARK, ILLUSTRATIVE])
def test_the_shipped_files_check(path):
    assert load(path, "--check").strip().endswith("valid.")
    # A check loads nothing.
    assert [day for day, _values in approved_versions()] == [date(2000, 1, 1)]


def test_a_broken_file_names_the_version_and_the_setting(tmp_path):
    later = danish_version(reflection__max_days=10)
    later["effective_from"] = "2031-01-01"
    path = rule_file(tmp_path, [danish_version(), later])
    for args in ((path, "--check"), (path,)):
        with pytest.raises(CommandError, match=r"Version 2 \(2031-01-01\): reflection\.max_days"):
            load(*args)
    assert len(approved_versions()) == 1


def test_a_group_that_is_not_an_object_gives_a_command_error(tmp_path):
    entry = danish_version()
    entry["values"]["queues"] = [30]
    with pytest.raises(CommandError, match=r"Version 1 \(2000-01-01\): queues"):
        load(rule_file(tmp_path, [entry]), "--check")


def test_a_file_that_is_not_a_rule_file_is_refused(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"versions": []}')
    with pytest.raises(CommandError, match="format"):
        load(path)


def test_a_different_version_of_a_past_day_is_refused(tmp_path):
    before = approved_versions()
    path = rule_file(tmp_path, [danish_version(reflection__base_days=45)])
    with pytest.raises(CommandError, match="2000-01-01"):
        load(path)
    assert approved_versions() == before
    assert rules.at(date(2020, 1, 1)).reflection.base_days == 30


def test_a_future_version_is_loaded_as_approved(tmp_path):
    future = timezone.localdate() + timedelta(days=30)
    later = danish_version(grants__in_kind_per_adult=45_000)
    later["effective_from"] = future.isoformat()
    path = rule_file(tmp_path, [danish_version(), later])
    assert "1 versions loaded, 1 already held" in load(path)
    version = RuleVersion.objects.get(effective_from=future)
    assert (version.status, version.source) == ("approved", "rules.json")
    assert rules.at(future).grants.in_kind_per_adult == 45_000
    assert rules.at(future - timedelta(days=1)).grants.in_kind_per_adult == 40_000
    # Loading the same file again adds nothing.
    assert "0 versions loaded, 2 already held" in load(path)


def test_a_file_version_that_drops_a_code_is_refused(tmp_path):
    later = danish_version()
    later["effective_from"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    later["values"]["codes"]["housing_type"].pop()
    path = rule_file(tmp_path, [danish_version(), later])
    with pytest.raises(CommandError, match="The code none cannot be removed: retire it instead"):
        load(path, "--check")
    with pytest.raises(CommandError, match="The code none cannot be removed"):
        load(rule_file(tmp_path, [later]))
    assert len(approved_versions()) == 1


# A new installation for another mechanism ----------------------------------------------------


def test_initial_replaces_the_rules_of_an_empty_installation():
    assert "2 versions loaded" in load(ILLUSTRATIVE, "--initial")
    assert rules.at(date(2025, 1, 1)).reflection.base_days == 60
    assert rules.at(date(2020, 1, 1)).reflection.base_days == 45
    assert rules.at(date(2020, 1, 1)).calendar.country == "GB"
    assert [day for day, _values in approved_versions()] == [date(2000, 1, 1), date(2024, 4, 1)]


def test_initial_is_refused_once_a_record_exists(hanne):
    make_inquiry(hanne, state="referred")
    with pytest.raises(CommandError, match="Records exist"):
        load(ILLUSTRATIVE, "--initial")
    assert rules.at(date(2025, 1, 1)).calendar.country == "DK"
    assert len(approved_versions()) == 1


def test_initial_is_refused_once_an_inquiry_exists(hanne):
    make_inquiry(hanne)
    with pytest.raises(CommandError, match="Records exist"):
        load(ILLUSTRATIVE, "--initial")
    assert rules.at(date(2025, 1, 1)).calendar.country == "DK"


# A course under each mechanism, without a code change -------------------------------------


@pytest.mark.parametrize(
    ("path", "initial", "authority", "base_days", "max_days", "in_kind", "first_caller"),
    [
        (DENMARK, False, "cmm", 30, 120, 40_000, "police"),
        (ILLUSTRATIVE, True, "immigration_service", 60, 120, 3_000, "first_responder"),
    ],
    ids=["denmark", "illustrative"],
)
def test_a_course_under_each_mechanism(
    hanne, tove, karin, path, initial, authority, base_days, max_days, in_kind, first_caller
):
    load(path, *(["--initial"] if initial else []))
    today = timezone.localdate()

    # The mechanism's own code lists: the hotline's form offers its callers, in its order.
    caller_types = [code for code, _label in InquiryForm().fields["caller_type"].choices]
    assert caller_types[1] == first_caller
    assert ("siri" in caller_types) is (path == DENMARK)

    # Referred, with legal residence: in Denmark CMM assesses, in the illustrative
    # mechanism one competent authority decides on everyone.
    case = make_inquiry(hanne, state="referred").persons.get().case
    case_services.person_update(
        actor=tove,
        case_id=case.pk,
        version=case.version,
        data={"residence_status": "legal_residence"},
    )
    case.refresh_from_db()
    case_services.case_assign(
        actor=tove, case_id=case.pk, version=case.version, contact_person=karin
    )
    case.refresh_from_db()
    case_services.interview_record(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data=interview_data(),
        interviewers=[karin],
    )
    case.refresh_from_db()
    sent_on = None if authority == "cmm" else today - timedelta(days=3)
    assert authority_for("legal_residence", sent_on or today) == authority
    case_services.case_send_for_assessment(
        actor=karin, case_id=case.pk, version=case.version, authority=authority, sent_on=sent_on
    )
    case.refresh_from_db()
    assert case.assessing_authority == authority
    case_services.case_record_assessment(
        actor=karin, case_id=case.pk, version=case.version, data=assessment_data()
    )
    case_services.case_answer_offer(
        actor=karin,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        accepted=True,
        on=today,
    )

    period = case_services.reflection_start(
        actor=karin,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        starts_on=today,
        granted_by=authority,
    )
    assert (period.total_days, period.max_days) == (base_days, max_days)
    assert period.ends_on == today + timedelta(days=base_days - 1)

    prepared = return_services.return_start(
        actor=karin, case_id=case.pk, case_version=Case.objects.get(pk=case.pk).version
    )
    prepared = return_services.return_update(
        actor=karin,
        return_id=prepared.pk,
        version=prepared.version,
        data={"offer_accepted_on": today},
    )
    assert prepared.children == 0
    assert prepared.in_kind_cap == in_kind
