from cases.models.assessment import (
    AssessingAuthority,
    Assessment,
    CriminalKind,
    ForcedLabourIndustry,
    Outcome,
    SexualKind,
)
from cases.models.case import Case, CaseGroupObjectPermission, CaseState, CaseUserObjectPermission
from cases.models.consent import Consent, ConsentKind
from cases.models.interview import INDICATORS, Interview, Recommendation
from cases.models.note import Note
from cases.models.person import Person, ResidenceStatus

__all__ = [
    "INDICATORS",
    "AssessingAuthority",
    "Assessment",
    "Case",
    "CaseGroupObjectPermission",
    "CaseState",
    "CaseUserObjectPermission",
    "Consent",
    "ConsentKind",
    "CriminalKind",
    "ForcedLabourIndustry",
    "Interview",
    "Note",
    "Outcome",
    "Person",
    "Recommendation",
    "ResidenceStatus",
    "SexualKind",
]
