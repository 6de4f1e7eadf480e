from cases.models.assessment import (
    AssessingAuthority,
    Assessment,
    CriminalKind,
    Outcome,
    SexualKind,
)
from cases.models.case import (
    Case,
    CaseGroupObjectPermission,
    CaseState,
    CaseUserObjectPermission,
    EndStatus,
    LegalHoldGround,
)
from cases.models.consent import Consent, ConsentKind
from cases.models.interview import INDICATORS, Interview, Recommendation
from cases.models.note import Note
from cases.models.person import Person, ResidenceStatus
from cases.models.reminder import DigestSent
from cases.models.retention import RetentionCheck
from cases.models.support import (
    Extension,
    ExtensionReason,
    FiledBy,
    MinorCare,
    NotFiledReason,
    Placement,
    PoliceReport,
    Provision,
    ReflectionPeriod,
    ServiceKind,
    SupportService,
)
from cmm.core.codes import ForcedLabourIndustry, HousingType, PlacementEndReason

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
    "DigestSent",
    "EndStatus",
    "Extension",
    "ExtensionReason",
    "FiledBy",
    "ForcedLabourIndustry",
    "HousingType",
    "Interview",
    "LegalHoldGround",
    "MinorCare",
    "NotFiledReason",
    "Note",
    "Outcome",
    "Person",
    "Placement",
    "PlacementEndReason",
    "PoliceReport",
    "Provision",
    "Recommendation",
    "ReflectionPeriod",
    "ResidenceStatus",
    "RetentionCheck",
    "ServiceKind",
    "SexualKind",
    "SupportService",
]
