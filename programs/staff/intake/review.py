"""
The forms of "Add from a report": the report itself, then one per proposal.

The review page is stateless: its forms carry the report's text, its
paragraphs and each proposal's evidence in hidden fields, and confirming
checks all of it again (``confirm.create_drafts`` decides what may be made).
Each sentence is checked against the text it claims to come from, so a
tampered or stale page is refused rather than cited.

What the forms ask of staff, and why: a figure needs the date it holds for,
and the extractor gives none the text does not support, so staff give one or
untick the figure (never guessed); every record needs an English name, so a
Chinese report leaves it for staff to type; a sum of money is shown as one of
the "other numbers", never made a count.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ...models import (
    Agreement,
    AnnouncedFigure,
    District,
    Organization,
    Project,
    Source,
)
from .documents import MAX_BYTES, IntakeError, checked_text, read_document

# The languages the extractor reads, as Proposals name them.
LANGUAGES = [("en", "en"), ("zh", "zh")]
SECTIONS = ("organizations", "agreements", "figures")


def _of(model, name):
    """Return the label of ``model``'s field ``name``, as the admin's forms
    show it (and as the catalogue already translates it)."""
    return capfirst(model._meta.get_field(name).verbose_name)


def _autocomplete(field_of):
    """Return the admin's autocomplete widget for the records ``field_of`` names.

    ``field_of`` is any foreign key to the kind wanted: the admin's
    autocomplete view reads its target and checks the user may view it.
    """
    return AutocompleteSelect(field_of, admin.site)


class ReportForm(forms.Form):
    """Step one: the report, pasted or uploaded, and what its text may not say."""

    text = forms.CharField(
        label=_("Text of the report"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
    )
    file = forms.FileField(
        label=_("Or its file"),
        required=False,
        help_text=_(".txt, .html or .docx, up to 2 MB."),
    )
    outlet = forms.CharField(
        label=_of(Source, "outlet"), max_length=120, required=False
    )
    url = forms.URLField(
        label=_of(Source, "url"), required=False, assume_scheme="https"
    )
    published_on = forms.DateField(
        label=_of(Source, "published_on"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Left blank, the date the text states is offered."),
    )

    def clean(self):
        cleaned = super().clean()
        upload, pasted = cleaned.get("file"), cleaned.get("text") or ""
        if upload and pasted.strip():
            raise forms.ValidationError(_("Paste the text or upload a file, not both."))
        if not upload and not pasted.strip():
            self.add_error("text", _("Paste the report's text or upload its file."))
            return cleaned
        try:
            if upload:
                # One byte over the limit is enough for read_document to refuse.
                cleaned["text"] = read_document(upload.name, upload.read(MAX_BYTES + 1))
            else:
                cleaned["text"] = checked_text(pasted, _("The pasted text"))
        except IntakeError as error:
            self.add_error("file" if upload else "text", str(error))
        return cleaned


class ReportTextForm(forms.Form):
    """The report as read, carried by the review page to its confirmation."""

    text = forms.CharField(strip=False, widget=forms.Textarea(attrs={"hidden": True}))
    language = forms.ChoiceField(choices=LANGUAGES, widget=forms.HiddenInput)
    # Each paragraph's offsets in the text: "0-120 122-300".
    paragraphs = forms.CharField(widget=forms.HiddenInput)

    def clean_text(self):
        # Browsers post a text box's lines ending in \r\n; the offsets the
        # evidence carries count them as the report's \n.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean_paragraphs(self):
        try:
            return paragraph_spans(self.cleaned_data["paragraphs"])
        except ValueError as error:
            message = _("The report's paragraphs were lost.")
            raise forms.ValidationError(message) from error

    def text_and_paragraphs(self):
        """Return the report's text and paragraph offsets, or None if the
        posted ones cannot be trusted."""
        if not self.is_bound:
            return self.initial["text"], paragraph_spans(self.initial["paragraphs"])
        if self.is_valid():
            return self.cleaned_data["text"], self.cleaned_data["paragraphs"]
        return None


def paragraphs_value(spans):
    """Return paragraph offsets as ``ReportTextForm`` carries them."""
    return " ".join(f"{start}-{end}" for start, end in spans)


def paragraph_spans(value):
    """Return the offsets ``paragraphs_value`` wrote; ValueError if garbled."""
    spans = [tuple(int(n) for n in span.split("-")) for span in value.split()]
    if not spans or any(len(span) != 2 or span[0] > span[1] for span in spans):
        raise ValueError(value)
    return spans


class ProposalForm(forms.Form):
    """What every proposal's form has: kept or not, and where it stands."""

    keep = forms.BooleanField(label=_("Keep"), required=False, initial=True)
    paragraph = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    sentence = forms.CharField(strip=False, widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report  # the cleaned ReportTextForm, if it was valid

    def clean(self):
        cleaned = super().clean()
        if self.report is not None and not self.errors:
            self._check_evidence(cleaned)
        if cleaned.get("keep") and not cleaned.get("existing"):
            self.check_new(cleaned)
        return cleaned

    def _check_evidence(self, cleaned):
        sentence = cleaned["sentence"].replace("\r\n", "\n")
        cleaned["sentence"] = sentence
        within = cleaned["paragraph"] <= len(self.report["paragraphs"])
        quoted = self.report["text"][cleaned["start"] : cleaned["end"]]
        if not within or quoted != sentence:
            raise forms.ValidationError(
                _("This proposal's sentence is not in the report: read it again.")
            )

    def check_new(self, cleaned):
        """Add an error for each field a new record of this kind needs."""

    def require(self, cleaned, name, message):
        if cleaned.get(name) in (None, ""):
            self.add_error(name, message)


def _text(model, name):
    """Return an optional text field for ``model``'s field ``name``."""
    field = model._meta.get_field(name)
    return forms.CharField(
        label=_of(model, name),
        max_length=field.max_length,
        required=False,
        help_text=field.help_text,
    )


def _district():
    return forms.ModelChoiceField(
        District.objects.all(), label=_of(Organization, "district"), required=False
    )


class NamedProposalForm(ProposalForm):
    """A proposed record with a name: a new one needs it in English."""

    field_order = ["keep", "name_en", "name_zh", "existing"]

    name_en = _text(Organization, "name_en")
    name_zh = _text(Organization, "name_zh")

    def check_new(self, cleaned):
        message = _("Type its English name: every record has one.")
        self.require(cleaned, "name_en", message)


class OrganizationForm(NamedProposalForm):
    """An organization the report names: on file, or a new draft."""

    existing = forms.ModelChoiceField(
        Organization.objects.all(),
        label=_("Or one on file"),
        required=False,
        widget=_autocomplete(AnnouncedFigure._meta.get_field("organization")),
    )
    kind = forms.ChoiceField(
        label=_of(Organization, "kind"), choices=Organization.Kind.choices
    )
    district = _district()


class AgreementForm(NamedProposalForm):
    """An agreement the report says was signed: on file, or a new draft."""

    existing = forms.ModelChoiceField(
        Agreement.objects.all(),
        label=_("Or one on file"),
        required=False,
        widget=_autocomplete(Project._meta.get_field("agreement")),
    )
    signed_on = forms.DateField(
        label=_of(Agreement, "signed_on"), required=False, widget=AdminDateWidget
    )
    district = _district()
    areas = forms.CharField(
        label=_("Areas of cooperation"),
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parties = forms.TypedMultipleChoiceField(
        label=_("Parties (signatories)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Among the organizations above."),
    )

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = parties


class FigureForm(ProposalForm):
    """A count the report announces: on file, or a new draft figure.

    A sum of money (``unit``) is carried along only to be shown among the
    other numbers: it is never kept.
    """

    existing = forms.ModelChoiceField(
        AnnouncedFigure.objects.none(),
        label=_("Or the one on file"),
        required=False,
        empty_label=_("— a new figure —"),
    )
    label_en = _text(AnnouncedFigure, "label_en")
    label_zh = _text(AnnouncedFigure, "label_zh")
    subject = forms.ChoiceField(
        label=_of(AnnouncedFigure, "subject"),
        required=False,
        choices=[("", "---------"), *AnnouncedFigure.Subject.choices],
    )
    value = forms.DecimalField(label=_of(AnnouncedFigure, "value"), min_value=0)
    qualifier = forms.ChoiceField(
        label=_of(AnnouncedFigure, "qualifier"),
        choices=AnnouncedFigure.Qualifier.choices,
    )
    as_of = forms.DateField(
        label=_of(AnnouncedFigure, "as_of"), required=False, widget=AdminDateWidget
    )
    date_rule = forms.ChoiceField(
        label=_of(AnnouncedFigure, "date_rule"),
        choices=AnnouncedFigure.DateRule.choices,
    )
    district = _district()
    organization = forms.ModelChoiceField(
        Organization.objects.all(),
        label=_of(AnnouncedFigure, "organization"),
        required=False,
        widget=_autocomplete(AnnouncedFigure._meta.get_field("organization")),
    )
    agreement = forms.TypedChoiceField(
        label=_of(AnnouncedFigure, "agreement"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    counts = forms.CharField(required=False, widget=forms.HiddenInput)
    unit = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agreements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [("", "---------"), *agreements]
        # The match the extractor proposed is the only figure on offer.
        match = self["existing"].value()
        if str(match or "").isdigit():
            self.fields["existing"].queryset = AnnouncedFigure.objects.filter(pk=match)
        else:
            self.fields["existing"].widget = forms.HiddenInput()

    @property
    def is_money(self):
        return bool(self["unit"].value())

    def clean(self):
        if self.is_money:
            self.cleaned_data["keep"] = False  # shown, never made
        return super().clean()

    def check_new(self, cleaned):
        self.require(cleaned, "label_en", _("Type an English label for it."))
        self.require(cleaned, "subject", _("Choose what it counts."))
        self.require(
            cleaned,
            "as_of",
            _("Give the date it holds for, or untick it: the report gives none."),
        )
        value = cleaned.get("value")
        if value is not None and value != int(value):
            self.add_error("value", _("A count is a whole number."))
        elif value is not None:
            cleaned["value"] = int(value)


class SourceForm(forms.Form):
    """The report as a source: a new draft, or one on file."""

    field_order = ["title_en", "title_zh", "existing"]

    existing = forms.ModelChoiceField(
        Source.objects.all(),
        label=_("Or one on file"),
        required=False,
        widget=_autocomplete(AnnouncedFigure._meta.get_field("source")),
        help_text=_("The same report, if it was recorded before."),
    )
    title_en = _text(Source, "title_en")
    title_zh = _text(Source, "title_zh")
    outlet = _text(Source, "outlet")
    url = forms.URLField(
        label=_of(Source, "url"), required=False, assume_scheme="https"
    )
    published_on = forms.DateField(
        label=_of(Source, "published_on"), required=False, widget=AdminDateWidget
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("existing") is None:
            for name, message in (
                ("title_en", _("Type a short English title in our own words.")),
                ("published_on", _("Give the date it was published.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


OrganizationFormSet = forms.formset_factory(OrganizationForm, extra=0)
AgreementFormSet = forms.formset_factory(AgreementForm, extra=0)
FigureFormSet = forms.formset_factory(FigureForm, extra=0)


def _choices(formset, *names):
    """Return (index, name) for each form of ``formset``, as typed on the page."""
    choices = []
    for index, form in enumerate(formset.forms):
        name = next((form[n].value() for n in names if form[n].value()), "")
        choices.append((index, f"{index + 1}. {name}" if name else f"{index + 1}."))
    return choices


class Review:
    """The review page's forms for one report, bound to a POST or not.

    Built from ``initial`` (``admin.intake.initial_from(proposals)``) to show a report's
    proposals, or from ``data`` to confirm them.
    """

    def __init__(self, data=None, initial=None):
        initial = initial or {}
        self.report = ReportTextForm(
            data, prefix="report", initial=initial.get("report")
        )
        report = self.report.cleaned_data if self.report.is_valid() else None
        self.source = SourceForm(data, prefix="source", initial=initial.get("source"))
        kwargs = {"report": report}
        self.organizations = OrganizationFormSet(
            data,
            prefix="organizations",
            initial=initial.get("organizations"),
            form_kwargs=kwargs,
        )
        parties = _choices(self.organizations, "name_zh", "name_en")
        self.agreements = AgreementFormSet(
            data,
            prefix="agreements",
            initial=initial.get("agreements"),
            form_kwargs={**kwargs, "parties": parties},
        )
        agreements = _choices(self.agreements, "name_zh", "name_en")
        self.figures = FigureFormSet(
            data,
            prefix="figures",
            initial=initial.get("figures"),
            form_kwargs={**kwargs, "agreements": agreements},
        )

    def formsets(self):
        return {name: getattr(self, name) for name in SECTIONS}

    def is_valid(self):
        forms_valid = [self.report.is_valid(), self.source.is_valid()]
        forms_valid += [formset.is_valid() for formset in self.formsets().values()]
        return all(forms_valid)

    def cleaned(self):
        """Return what staff reviewed, as ``confirm.create_drafts`` takes it."""
        return {
            "text": self.report.cleaned_data["text"],
            "language": self.report.cleaned_data["language"],
            "source": self.source.cleaned_data,
            **{
                name: [form.cleaned_data for form in formset.forms]
                for name, formset in self.formsets().items()
            },
        }

    def refuse(self, problems):
        """Show each of ``confirm``'s problems on the form it concerns."""
        for problem in problems:
            if problem.index is None:
                form = self.source
            else:
                form = getattr(self, problem.section).forms[problem.index]
            field = problem.field if problem.field in form.fields else None
            form.add_error(field, problem.message)

    def other_numbers(self):
        """Return the forms of the sums of money, shown but never created."""
        return [form for form in self.figures.forms if form.is_money]

    @property
    def media(self):
        media = self.source.media
        for formset in self.formsets().values():
            media += formset.media
        return media

    def error_count(self):
        count = len(self.report.errors) + len(self.source.errors)
        for formset in self.formsets().values():
            count += formset.total_error_count()
        return count
