"""
"Add from a report", in the sources' admin: read, review, confirm.

1. ``add-from-report/``: staff paste a report or upload its file, with its
   outlet, link and date. Posting it runs the extractor and answers with:
2. the review page, which lists every proposal beside the report's text, each
   sentence a proposal stands on marked and linked both ways. It posts to:
3. ``add-from-report/confirm/``, which checks everything again and creates
   the kept proposals as drafts in one transaction
   (``programs.staff.intake.confirm``), then opens the source's page of
   records drawn from the report.

Nothing is kept between the steps: the review page carries the report in its
form. Staff who may add sources (editors, district editors, superusers) may
use it; viewers are refused. A district editor's records are held to their
districts at the confirmation, where every write is decided.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ...models import Evidence

# The module, not its names: confirm imports this package's history helpers.
from ..intake import confirm
from ..intake.extract import propose
from ..intake.initial import initial_from
from ..intake.review import ReportForm, Review


def read_report(report):
    """Return the proposals for ``report``, the cleaned ``ReportForm`` data.

    With no date given, the extractor anchors relative dates ("on
    Thursday") on the date the text states; the review page offers it for
    staff to check.
    """
    return propose(
        report["text"],
        published_on=report["published_on"],
        outlet=report["outlet"],
        url=report["url"],
    )


class ReportIntake:
    """The views of "Add from a report", served by the sources' admin."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.opts = model_admin.model._meta

    def urls(self):
        view = self.model_admin.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "add-from-report/",
                view(self.start_view),
                name=f"{prefix}_add_from_report",
            ),
            path(
                "add-from-report/confirm/",
                view(self.confirm_view),
                name=f"{prefix}_confirm_report",
            ),
            path(
                "<path:object_id>/from-report/",
                view(self.drawn_view),
                name=f"{prefix}_from_report",
            ),
        ]

    def _context(self, request, title, **context):
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            **context,
        }

    def _refuse_unless_may_add(self, request):
        if not request.user.has_perm(f"{self.opts.app_label}.add_source"):
            raise PermissionDenied

    def start_view(self, request):
        """Step 1, and on posting it, step 2: the review of its proposals."""
        self._refuse_unless_may_add(request)
        form = ReportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            proposals = read_report(form.cleaned_data)
            review = Review(initial=initial_from(proposals))
            offered = proposals.source.stated_date
            if form.cleaned_data["published_on"] is not None:
                offered = None
            return self.render_review(request, review, proposals, offered)
        context = self._context(
            request, _("Add from a report"), form=form, media=form.media
        )
        return TemplateResponse(
            request, "admin/programs/source/add_from_report.html", context
        )

    def render_review(self, request, review, proposals=None, offered=None):
        """Render the review page for ``review``'s forms."""
        context = self._context(
            request,
            _("Review what the report proposes"),
            review=review,
            media=review.media,
            paragraphs=marked_paragraphs(review),
            offered_date=offered,
            districts=proposals.districts if proposals else (),
        )
        return TemplateResponse(
            request, "admin/programs/source/review_report.html", context
        )

    def confirm_view(self, request):
        """Step 3: create the kept proposals, or show the review again."""
        self._refuse_unless_may_add(request)
        if request.method != "POST":
            return HttpResponseRedirect(self._url("add_from_report"))
        review = Review(request.POST)
        if not review.is_valid():
            return self.render_review(request, review)
        try:
            drafted = confirm.create_drafts(review.cleaned(), request.user)
        except confirm.DraftsRefused as refused:
            review.refuse(refused.problems)
            return self.render_review(request, review)
        self._log_additions(request, drafted)
        self.model_admin.message_user(
            request, drafted_message(drafted), messages.SUCCESS
        )
        return HttpResponseRedirect(self._url("from_report", drafted.source.pk))

    def _log_additions(self, request, drafted):
        """Note each new record in the admin's recent actions, as a form would."""
        records = drafted.created
        if drafted.source_created:
            records = [drafted.source, *records]
        for record in records:
            self.model_admin.log_addition(request, record, [{"added": {}}])

    def drawn_view(self, request, object_id):
        """List the records drawn from a source, each with its evidence."""
        source = get_object_or_404(self.model_admin.model, pk=unquote(object_id))
        if not self.model_admin.has_view_permission(request, source):
            raise PermissionDenied
        evidence = (
            Evidence.objects.filter(source=source)
            .select_related("content_type")
            .prefetch_related("record")
            .order_by("paragraph", "content_type", "object_id")
        )
        context = self._context(
            request,
            _("Records drawn from “%(source)s”") % {"source": source},
            source=source,
            rows=[self._drawn(row) for row in evidence if row.record is not None],
            change_url=self._url("change", source.pk),
        )
        return TemplateResponse(
            request, "admin/programs/source/report_records.html", context
        )

    def _drawn(self, evidence):
        record = evidence.record
        opts = record._meta
        name = f"{self.model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}"
        return {
            "evidence": evidence,
            "record": record,
            "kind": opts.verbose_name,
            "url": reverse(f"{name}_change", args=[record.pk]),
        }

    def _url(self, name, *args):
        admin_name = self.model_admin.admin_site.name
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return reverse(f"{admin_name}:{prefix}_{name}", args=args)


def drafted_message(drafted):
    """Return the sentence that tells staff what a confirmation made."""
    parts = []
    created = list(drafted.created)
    if drafted.source_created:
        created.insert(0, drafted.source)
    if created:
        parts.append(_("Created as drafts: %(records)s.") % {"records": _list(created)})
    if drafted.matched:
        parts.append(
            _("The report is now cited by these records on file: %(records)s.")
            % {"records": _list(drafted.matched)}
        )
    if drafted.used:
        parts.append(
            _("Used as they are, not yours to change: %(records)s.")
            % {"records": _list(drafted.used)}
        )
    return " ".join(parts) or _("Nothing was kept, so nothing was created.")


def _list(records):
    return "; ".join(
        f"{record._meta.verbose_name} “{record.name}”" for record in records
    )


# The report's text, marked ----------------------------------------------------

SECTION_LABELS = {
    "organizations": lambda n: _("Organization %(number)s") % {"number": n},
    "agreements": lambda n: _("Agreement %(number)s") % {"number": n},
    "figures": lambda n: _("Number %(number)s") % {"number": n},
}


def marked_paragraphs(review):
    """Return the report's paragraphs with the sentences proposals stand on.

    Each paragraph is ``{"number", "parts"}``; each part is a piece of its
    text, and a marked one has an ``id`` (``sentence-<offset>``, which the
    proposals link to) and ``links`` back to each proposal standing on it.
    Empty when the report's own form was tampered with.
    """
    report = review.report.text_and_paragraphs()
    if report is None:
        return []
    text, paragraphs = report
    sentences = _sentences(review)
    return [
        {"number": number, "parts": _parts(text, start, end, sentences)}
        for number, (start, end) in enumerate(paragraphs, start=1)
    ]


def _sentences(review):
    """Return {(start, end): [(anchor, label), ...]} for every proposal."""
    sentences = {}
    for section, formset in review.formsets().items():
        for number, form in enumerate(formset.forms, start=1):
            try:
                span = (int(form["start"].value()), int(form["end"].value()))
            except (TypeError, ValueError):
                continue
            link = (form.prefix, SECTION_LABELS[section](number))
            sentences.setdefault(span, []).append(link)
    return sentences


def _parts(text, start, end, sentences):
    """Return the pieces of ``text[start:end]``, marked where a sentence lies."""
    parts, at = [], start
    for span, links in sorted(sentences.items()):
        first, last = max(span[0], start), min(span[1], end)
        if first < at or first >= last:
            continue  # another paragraph's, or overlapping one marked already
        if first > at:
            parts.append({"text": text[at:first]})
        anchor = f"sentence-{span[0]}"
        parts.append({"text": text[first:last], "id": anchor, "links": links})
        at = last
    if at < end:
        parts.append({"text": text[at:end]})
    return parts
