from .core import (
    Building,
    Compound,
    Household,
    HouseholdType,
    IdType,
    Person,
    PersonPhone,
    PersonStatus,
    PersonTag,
    PhoneKind,
    Sex,
    TagType,
    Unit,
    region_of_path,
)
from .intake import CareContact, ImportJob, ImportStatus, Registration, RegistrationStatus
from .places import Business, BusinessKind, FireCheck, FireCheckResult, Rental
from .records import (
    FREQUENCY_DAYS,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeStatus,
    FieldChange,
    FieldSource,
    Frequency,
    SourceKind,
    Visit,
    VisitChannel,
    VisitPhoto,
    VisitRule,
)

__all__ = [
    "FREQUENCY_DAYS", "Building", "Business", "BusinessKind", "CareContact", "Compound", "ChangeRequest", "ChangeRequestEvent",
    "ChangeStatus", "FieldChange", "FieldSource", "FireCheck", "FireCheckResult", "Frequency", "Household",
    "HouseholdType", "IdType", "ImportJob", "ImportStatus", "Person", "PersonPhone", "PersonStatus", "PersonTag",
    "PhoneKind", "Registration", "RegistrationStatus", "Rental", "Sex", "SourceKind", "TagType", "Unit", "Visit",
    "VisitChannel", "VisitPhoto", "VisitRule", "region_of_path",
]
