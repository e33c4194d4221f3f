"""
The records of the talent-programme tracker.

Every public kind of record has English and Simplified Chinese names, a slug
that is its natural key (fixtures and URLs use it), a publication status and the
sources its facts come from. Only published records reach the public site.
"""

from .base import (
    PublicationStatus,
    RecordQuerySet,
    cites_sources,
    count_of,
    set_publication_status,
)
from .content_version import ContentVersion
from .evidence import Evidence
from .figures import AnnouncedFigure
from .jobs import Job
from .programmes import (
    Agreement,
    AgreementParty,
    Entrepreneur,
    Expert,
    Project,
    Workstation,
)
from .reference import District, Organization, ResearchField, Source
from .staff import Role, StaffLanguage, StaffScope
from .summary import ContentSummary
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "AnnouncedFigure",
    "ContentSummary",
    "ContentVersion",
    "Agreement",
    "AgreementParty",
    "District",
    "Evidence",
    "Expert",
    "Job",
    "Organization",
    "Entrepreneur",
    "Project",
    "PublicationStatus",
    "RecordQuerySet",
    "ResearchField",
    "Role",
    "Source",
    "StaffLanguage",
    "StaffScope",
    "Workstation",
    "cites_sources",
    "count_of",
    "set_publication_status",
]
