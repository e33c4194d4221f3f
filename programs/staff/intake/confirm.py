"""
Confirm: the proposals staff reviewed, created as drafts all at once.

``create_drafts(reviewed, user)`` takes the cleaned data of the review page's
forms (``review.Review.cleaned()``), a dict::

    {"text": str, "language": "en" | "zh",
     "source": {"existing": Source | None, "title_en", "title_zh", "outlet",
                "url", "published_on"},
     "organizations": [{"keep": bool, "existing": Organization | None,
                        "name_en", "name_zh", "kind", "district",
                        "paragraph": int, "sentence": str}, ...],
     "agreements": [{"keep", "existing": Agreement | None, "name_en",
                     "name_zh", "signed_on", "district", "areas" (one per line),
                     "parties": [index in "organizations", ...],
                     "paragraph", "sentence"}, ...],
     "figures": [{"keep", "existing": AnnouncedFigure | None, "label_en",
                  "label_zh", "subject", "value", "qualifier", "as_of",
                  "date_rule", "district", "organization": Organization | None,
                  "agreement": index in "agreements" | None,
                  "unit": None, or the currency of a sum of money,
                  "paragraph", "sentence"}, ...]}

The lists hold every proposal, ticked or not, so that the indexes a party or
a figure's agreement names are those of the page; only kept ones are made.

What must hold, and why:

- All or nothing: one transaction, so a refusal halfway (a slug or a check
  constraint) leaves the database as it was, and staff fix the page and
  confirm again rather than tidy up half a report.
- New records are drafts citing the report, with the report's text on the
  source (staff-only), and ``Evidence`` of the paragraph and sentence each
  fact stands in. Nothing is published until someone reads it.
- Records on file that staff chose instead of new ones get the source and
  the evidence too, when the user may change them; otherwise (another
  district's, or shared ones a district editor only views) they are used as
  they are, untouched: a party, a figure's organization.
- A district editor adds records only in their districts (as in the admin,
  ``permissions.may_add_in``). The report's source is the one record outside
  any district they make: without it nothing they draw from a report could
  cite it.
- Every save goes through ``save()`` (never bulk): history names the user,
  and the signals bump the page cache's content version (``site/cache.py``).
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ...models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    Evidence,
    Organization,
    Source,
)
from ..admin.history import links_in_one_version
from ..permissions import districts_of, is_district_editor, may_add_in, may_change
from ..slugs import slug_from_names, unique_slug

SECTIONS = {
    "organizations": Organization,
    "agreements": Agreement,
    "figures": AnnouncedFigure,
}


@dataclass(frozen=True)
class Problem:
    """Why one proposal cannot be made: its section, index, field and message.

    ``index`` is None for the source; ``field`` None for the whole form.
    """

    section: str
    index: int | None
    field: str | None
    message: str


class DraftsRefused(Exception):
    """Nothing was created; ``problems`` say which forms to correct."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))


@dataclass
class Drafted:
    """What a confirmation did, for the message that reports it."""

    source: Source
    source_created: bool
    created: list = field(default_factory=list)
    matched: list = field(default_factory=list)
    used: list = field(default_factory=list)


def create_drafts(reviewed, user):
    """Create the kept proposals of ``reviewed`` as drafts; return ``Drafted``.

    Raise ``DraftsRefused`` having created nothing when any of them may not
    or cannot be made.
    """
    problems = refusals(reviewed, user)
    if problems:
        raise DraftsRefused(problems)
    with transaction.atomic():
        return _Drafting(reviewed, user).run()


def kept(rows):
    """Return (index, row) for each proposal of ``rows`` staff kept."""
    return [(index, row) for index, row in enumerate(rows) if row.get("keep")]


def refusals(reviewed, user):
    """Return the problems found before writing anything: who may add what,
    and references to proposals that were unticked."""
    if not user.has_perm("programs.add_source"):
        return [Problem("source", None, None, _("You may not add from a report."))]
    problems = []
    for section, model in SECTIONS.items():
        for index, row in kept(reviewed[section]):
            if row.get("existing") is None and not may_add_in(
                user, row.get("district"), model
            ):
                problems.append(
                    Problem(section, index, "district", scope_message(user, model))
                )
    problems += _unticked_references(reviewed)
    problems += [
        Problem("figures", index, None, _("A sum of money is not a count: untick it."))
        for index, row in kept(reviewed["figures"])
        if row.get("unit")
    ]
    return problems


def scope_message(user, model):
    """Return why ``user`` may not add this record where it stands."""
    if not is_district_editor(user):
        return _("You may not add %(kind)s.") % {
            "kind": model._meta.verbose_name_plural
        }
    names = ", ".join(str(district) for district in districts_of(user))
    if not names:
        return _("No district is assigned to you, so you may add no records.")
    return _(
        "You may add records only in your districts (%(districts)s): choose "
        "one of them, or untick this."
    ) % {"districts": names}


def _unticked_references(reviewed):
    organizations, agreements = reviewed["organizations"], reviewed["agreements"]
    problems = []
    for index, row in kept(agreements):
        if row.get("existing") is not None:
            continue  # an agreement on file keeps its parties
        for party in row.get("parties") or ():
            if not organizations[party].get("keep"):
                problems.append(
                    Problem(
                        "agreements",
                        index,
                        "parties",
                        _(
                            "“%(name)s” is unticked among the organizations: "
                            "tick it there, or leave it out of the parties."
                        )
                        % {"name": _name_of(organizations[party])},
                    )
                )
    for index, row in kept(reviewed["figures"]):
        chosen = row.get("agreement")
        if chosen is not None and not agreements[chosen].get("keep"):
            message = _("Its agreement is unticked: tick it, or choose no agreement.")
            problems.append(Problem("figures", index, "agreement", message))
    return problems


def _name_of(row):
    existing = row.get("existing")
    return str(existing) if existing else row.get("name_en") or row.get("name_zh")


class _Drafting:
    """One confirmation's writes, in order: the source, organizations,
    agreements with their parties, figures."""

    def __init__(self, reviewed, user):
        self.reviewed = reviewed
        self.user = user
        self.made = {section: {} for section in SECTIONS}

    def run(self):
        self.source, created = self._source(self.reviewed["source"])
        self.drafted = Drafted(self.source, created)
        builders = {
            "organizations": self._new_organization,
            "agreements": self._new_agreement,
            "figures": self._new_figure,
        }
        for section, build in builders.items():
            for index, row in kept(self.reviewed[section]):
                self.made[section][index] = self._record(section, index, row, build)
        return self.drafted

    def _source(self, row):
        """Return the report's source, on file or new, and whether it is new."""
        existing = row.get("existing")
        if existing is not None:
            if may_change(self.user, existing) and not existing.text:
                existing.text = self.reviewed["text"]
                existing._history_user = self.user
                self._save(existing, "source", None)
            return existing, False
        source = Source(
            title_en=row["title_en"],
            title_zh=row.get("title_zh") or "",
            outlet=row.get("outlet") or "",
            url=row.get("url") or "",
            published_on=row.get("published_on"),
            text=self.reviewed["text"],
        )
        self._save_new(source, "source", None)
        return source, True

    def _record(self, section, index, row, build):
        """Return the record ``row`` stands for: the one chosen, or a new draft."""
        existing = row.get("existing")
        if existing is not None:
            self._attach_to_existing(existing, row)
            return existing
        record = build(row)
        self._save_new(record, section, index)
        if hasattr(record, "sources"):
            with links_in_one_version(record):
                record.sources.add(self.source)
        self._keep_evidence(record, row)
        self.drafted.created.append(record)
        if section == "agreements":
            self._add_parties(record, row, index)
        return record

    def _attach_to_existing(self, record, row):
        """Cite the report on a record on file, if the user may change it."""
        if not may_change(self.user, record):
            self.drafted.used.append(record)
            return
        cites = hasattr(record, "sources")
        if cites and not record.sources.filter(pk=self.source.pk).exists():
            record._history_user = self.user
            record.sources.add(self.source)
            # A form opened on the record before this must not save its old
            # sources over the new one (admin/locking.py checks the version).
            type(record).objects.filter(pk=record.pk).update(version=F("version") + 1)
        self._keep_evidence(record, row)
        self.drafted.matched.append(record)

    def _keep_evidence(self, record, row):
        Evidence.kept_for(record, self.source, row["paragraph"], row["sentence"])

    def _new_organization(self, row):
        return Organization(
            name_en=row["name_en"],
            name_zh=row.get("name_zh") or "",
            kind=row["kind"],
            district=row.get("district"),
        )

    def _new_agreement(self, row):
        areas = row.get("areas") or ""
        language = "zh" if self.reviewed.get("language") == "zh" else "en"
        return Agreement(
            name_en=row["name_en"],
            name_zh=row.get("name_zh") or "",
            signed_on=row.get("signed_on"),
            district=row.get("district"),
            **{f"cooperation_areas_{language}": areas},
        )

    def _new_figure(self, row):
        agreement = row.get("agreement")
        return AnnouncedFigure(
            label_en=row["label_en"],
            label_zh=row.get("label_zh") or "",
            subject=row.get("subject") or "",
            value=row.get("value"),
            qualifier=row["qualifier"],
            as_of=row.get("as_of"),
            date_rule=row["date_rule"],
            district=row.get("district"),
            organization=row.get("organization"),
            agreement=None if agreement is None else self.made["agreements"][agreement],
            source=self.source,
        )

    def _add_parties(self, agreement, row, index):
        """Add each party once, as a signatory (two names may be one body)."""
        organizations = self.made["organizations"]
        parties = {organizations[i].pk: organizations[i] for i in row.get("parties")}
        for organization in parties.values():
            party = AgreementParty(agreement=agreement, organization=organization)
            party._history_user = self.user
            self._save(party, "agreements", index)

    def _save_new(self, record, section, index):
        """Save a new record as a draft under a free slug."""
        # Every kind names itself as name_en/name_zh (a source its title,
        # a figure its label).
        base = slug_from_names(record.name_en, record.name_zh)
        base = base or record._meta.model_name
        record.slug = unique_slug(type(record), base)
        record._history_user = self.user
        self._save(record, section, index)

    def _save(self, record, section, index):
        """Validate and save ``record``; a refusal names the form to correct."""
        try:
            record.full_clean()
        except ValidationError as error:
            raise DraftsRefused(problems_from(error, section, index)) from error
        record.save()


def problems_from(error, section, index):
    """Return ``error``, a model's ValidationError, as problems of one form."""
    if not hasattr(error, "error_dict"):
        return [Problem(section, index, None, message) for message in error.messages]
    return [
        Problem(section, index, None if name == NON_FIELD_ERRORS else name, message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]
