"""What every service on a course shares: the optimistic lock, the permission check, the
refusal once a course is anonymised, and the mark of activity."""

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cmm.core.access import user_may
from cmm.core.exceptions import Refused
from cmm.core.locking import lock_version


def birth_date_from_age(age: int, on: date | None = None) -> date:
    """An estimated date of birth for someone `age` years old on `on`: the middle of the
    year of life, so the age stays right for about half a year either way."""
    on = on or timezone.localdate()
    return date(on.year - age, on.month, 1) - timedelta(days=182)


def refuse_if_anonymised(case: Case) -> None:
    """An anonymised course is closed for good: nothing on it changes again."""
    if case.anonymised_at is not None:
        raise Refused(_("This course is anonymised and can no longer be changed."))


def lock_case(case_id: int, version: int) -> Case:
    """The case, locked, if it is still the version the user saw."""
    case = lock_version(
        Case.objects.select_related("person"),
        case_id,
        version,
        _(
            "Someone else changed this case while you were working on it. "
            "Nothing was saved; check the current case and try again."
        ),
    )
    refuse_if_anonymised(case)
    return case


def _require_work(actor: AbstractBaseUser, case: Case) -> None:
    if not user_may(actor, "cases.work_on_case", case):
        raise PermissionDenied
    refuse_if_anonymised(case)


def _touch(case: Case) -> None:
    """Every change to a case makes open forms on it stale and counts as activity."""
    refuse_if_anonymised(case)
    case.version += 1
    case.last_activity_at = timezone.now()
    case.save(update_fields=["version", "last_activity_at"])


def _lock_work(actor: AbstractBaseUser, case_id: int, version: int) -> Case:
    case = lock_case(case_id, version)
    _require_work(actor, case)
    return case


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise Refused(_("%(what)s cannot be in the future.") % {"what": what})
