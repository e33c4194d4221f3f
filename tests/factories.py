"""Small builders of test records. Published unless a test says otherwise."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from programs.models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Source,
    StaffScope,
    Workstation,
)

_sequence = itertools.count(1)


def _defaults(prefix, fields):
    n = next(_sequence)
    fields.setdefault("slug", f"{prefix}-{n}")
    fields.setdefault("publication_status", PublicationStatus.PUBLISHED)
    return n


def make_source(**fields):
    n = _defaults("source", fields)
    fields.setdefault("title_en", f"Source {n}")
    fields.setdefault("published_on", datetime.date(2023, 6, 16))
    return Source.objects.create(**fields)


def make_district(**fields):
    n = _defaults("district", fields)
    fields.setdefault("name_en", f"District {n}")
    fields.setdefault("name_zh", f"区{n}")
    fields.setdefault("city_en", "Shanghai")
    fields.setdefault("province_en", "Shanghai")
    fields.setdefault("in_demonstration_zone", True)
    return District.objects.create(**fields)


def make_field(**fields):
    n = _defaults("field", fields)
    fields.setdefault("name_en", f"Field {n}")
    return ResearchField.objects.create(**fields)


def make_organization(**fields):
    n = _defaults("organization", fields)
    fields.setdefault("name_en", f"Organization {n}")
    fields.setdefault("name_zh", f"机构{n}")
    fields.setdefault("kind", Organization.Kind.COMPANY)
    return Organization.objects.create(**fields)


def make_agreement(parties=(), **fields):
    n = _defaults("agreement", fields)
    fields.setdefault("name_en", f"Agreement {n}")
    fields.setdefault("name_zh", f"协议{n}")
    fields.setdefault("signed_on", datetime.date(2023, 6, 15))
    agreement = Agreement.objects.create(**fields)
    for organization in parties:
        AgreementParty.objects.create(agreement=agreement, organization=organization)
    return agreement


def make_project(**fields):
    n = _defaults("project", fields)
    fields.setdefault("name_en", f"Project {n}")
    fields.setdefault("name_zh", f"项目{n}")
    fields.setdefault("kind", Project.Kind.KEY_PROJECT)
    fields.setdefault("announced_on", datetime.date(2023, 6, 15))
    return Project.objects.create(**fields)


def make_expert(**fields):
    n = _defaults("expert", fields)
    fields.setdefault("name_en", f"Expert {n}")
    fields.setdefault("name_zh", f"专家{n}")
    if "appointed_by" not in fields:
        fields["appointed_by"] = make_organization()
    fields.setdefault("appointed_on", datetime.date(2023, 6, 15))
    return Expert.objects.create(**fields)


def make_workstation(**fields):
    n = _defaults("workstation", fields)
    fields.setdefault("name_en", f"Workstation {n}")
    fields.setdefault("name_zh", f"院士工作站{n}")
    if "host_organization" not in fields:
        fields["host_organization"] = make_organization()
    if "district" not in fields:
        fields["district"] = make_district()
    return Workstation.objects.create(**fields)


def make_entrepreneur(**fields):
    n = _defaults("entrepreneur", fields)
    fields.setdefault("name_en", f"Entrepreneur {n}")
    fields.setdefault("name_zh", f"创业者{n}")
    if "host_organization" not in fields:
        fields["host_organization"] = make_organization()
    fields.setdefault("signed_on", datetime.date(2023, 6, 15))
    return Entrepreneur.objects.create(**fields)


def with_source(record):
    """Return ``record`` citing a new published source, as publishing needs."""
    record.sources.add(make_source())
    return record


def make_of_kind(kind, **fields):
    """Make a record of ``kind`` (``programs.kinds``) with its own builder."""
    return globals()[f"make_{kind.key}"](**fields)


def make_figure(**fields):
    n = _defaults("figure", fields)
    fields.setdefault("label_en", f"Figure {n}")
    fields.setdefault("subject", AnnouncedFigure.Subject.KEY_PROJECTS)
    fields.setdefault("value", 8)
    fields.setdefault("as_of", datetime.date(2023, 6, 15))
    if "source" not in fields:
        fields["source"] = make_source()
    return AnnouncedFigure.objects.create(**fields)


def make_staff(username, role=None, districts=(), **flags):
    """Return a staff user in the role's group (made by the migration).

    ``districts`` are the ones a district editor may change.
    """
    user = get_user_model().objects.create_user(username, is_staff=True, **flags)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if districts:
        StaffScope.objects.create(user=user).districts.set(districts)
    return user


def client_of(user):
    """Return a test client signed in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
