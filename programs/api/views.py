"""
One view set per kind of record, built from the registry of kinds.

Reads: the published records, filtered by the kind's list FilterSet (the
same query string gives the same rows as the HTML list), in pages. Every
answer carries ``ETag`` and ``Last-Modified`` and a conditional request that
matches gets ``304``: a record's ETag is its edit version, a list's is the
content version every write changes (programs/site/cache.py), under which a
list's total is kept too (pagination.py). Reads are shown from rows, as the
kind's serializer would show its records (rows.py); writes, and what they
answer, go through the serializer.

Writes: ``PUT``, ``PATCH`` and ``DELETE`` must send ``If-Match`` with the
record's current ETag, checked with the row locked, so that two clients
cannot overwrite each other: a stale one gets ``412`` and the current record.
"""

from django.db import transaction
from django.db.models import Prefetch, ProtectedError, RestrictedError
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..kinds import KINDS
from ..models import AgreementParty, AnnouncedFigure, PublicationStatus
from ..paging import totally_ordered
from ..site.cache import content_version_row
from ..staff.permissions import may_add_in
from . import serializers
from .filters import FigureFilterSet, ListFilterBackend, sets_no_filter
from .pagination import kept_count
from .rows import Reading, first_rows

PUBLISHED = PublicationStatus.PUBLISHED
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    examples=[OpenApiExample("The ETag read", value='"12.3"')],
    description="The record's current ETag, from reading it. "
    "记录当前的 ETag（读取时获得）。",
)


# What each error answers, for the schema: every error is JSON.
ERROR = OpenApiResponse(
    {"type": "object", "properties": {"detail": {"type": "string"}}},
    description="What went wrong. 出错原因。",
)
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The fields that are wrong, each with what is wrong with it. "
    "出错的字段及原因。",
)
STALE = OpenApiResponse(
    {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "current": {"type": "object"}},
    },
    description="The record changed since it was read: the current one, and "
    "its ETag in the header. 记录已被修改：返回当前版本。",
)
# Reads are open, but a request with a wrong token is refused all the same.
READ_ERRORS = {401: ERROR, 404: ERROR, 429: ERROR}
WRITE_ERRORS = {400: FIELD_ERRORS, 401: ERROR, 403: ERROR, 429: ERROR}
CHANGE_ERRORS = {**WRITE_ERRORS, 404: ERROR, 409: ERROR, 412: STALE, 428: ERROR}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the record's current ETag."
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


def in_use_by(error):
    """Say which records keep a record from being deleted (a few of them)."""
    names = sorted({str(record) for record in error.protected_objects})
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return _("Other records refer to this one, so it cannot be deleted: %(names)s.") % {
        "names": shown
    }


def etag(key, version):
    """Return the ETag of the record with primary key ``key`` at ``version``."""
    return quote_etag(f"{key}.{version}")


def etag_of(record):
    return etag(record.pk, record.version)


class RecordViewSet(viewsets.ModelViewSet):
    """Reads for anyone; writes with a staff token, under the admin's rules
    (role, districts, validation, publishing), and If-Match.
    任何人可读；写入需工作人员令牌，遵循后台的权限、区县、校验与发布规则，
    并需 If-Match。"""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    model = None
    select_related = ()
    prefetch_related = ()
    # Public querysets are decorated further by kind (figures' counts).
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    filter_backends = [ListFilterBackend]

    def get_queryset(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            # Read as rows (rows.py), which join and fetch what they show.
            return self.public_records()
        # The record's own row: its related rows are read, not locked
        # (and PostgreSQL cannot lock the nullable side of a join).
        records = self.model._base_manager.select_for_update(of=("self",))
        return records.select_related(*self.select_related).prefetch_related(
            *self.prefetch_related
        )

    def public_records(self):
        return self.model.objects.public()

    # Reads

    def list(self, request, *args, **kwargs):
        version = content_version_row()
        number, changed_at = version.number, version.changed_at
        list_etag = quote_etag(f"list.{number}")
        unchanged = get_conditional_response(
            request, etag=list_etag, last_modified=int(changed_at.timestamp())
        )
        if unchanged is not None:
            return unchanged
        records = totally_ordered(self.filter_queryset(self.get_queryset()))
        reading = Reading(self.get_serializer_class(), request)
        rows = self.paginator.paginate_queryset(
            reading.rows(records),
            request,
            view=self,
            count=kept_count(records, request.query_params, number),
            keys=records,
            first_rows=first_rows(type(self))
            if sets_no_filter(request, self)
            else None,
        )
        response = self.get_paginated_response(reading.show(rows))
        response["ETag"] = list_etag
        response["Last-Modified"] = http_date(changed_at.timestamp())
        return response

    def retrieve(self, request, *args, **kwargs):
        # Reads need no object permission: anyone may read a published record.
        reading = Reading(self.get_serializer_class(), request)
        records = reading.rows(self.filter_queryset(self.get_queryset()))
        lookup = self.lookup_url_kwarg or self.lookup_field
        row = get_object_or_404(records, **{self.lookup_field: kwargs[lookup]})
        row_etag = etag(row["pk"], row["version"])
        unchanged = get_conditional_response(
            request, etag=row_etag, last_modified=int(row["updated_at"].timestamp())
        )
        if unchanged is not None:
            return unchanged
        response = Response(reading.show([row])[0])
        response["ETag"] = row_etag
        response["Last-Modified"] = http_date(row["updated_at"].timestamp())
        return response

    def _answer(self, record, status_code=status.HTTP_200_OK):
        response = Response(self.get_serializer(record).data, status=status_code)
        response["ETag"] = etag_of(record)
        response["Last-Modified"] = http_date(record.updated_at.timestamp())
        return response

    # Writes

    @extend_schema(responses={201: None, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_district(serializer.validated_data)
        record = serializer.save()
        response = self._answer(record, status.HTTP_201_CREATED)
        response["Location"] = serializer.data["url"]
        return response

    @extend_schema(parameters=[IF_MATCH], responses={200: None, **CHANGE_ERRORS})
    def update(self, request, *args, partial=False, **kwargs):
        with transaction.atomic():
            record = self._current(request)
            serializer = self.get_serializer(record, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.check_district(serializer.validated_data)
            record = serializer.save()
        return self._answer(record)

    @extend_schema(parameters=[IF_MATCH], responses={200: None, **CHANGE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(parameters=[IF_MATCH], responses={204: None, **CHANGE_ERRORS})
    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            record = self._current(request)
            record._history_user = request.user
            try:
                record.delete()
            except (ProtectedError, RestrictedError) as error:
                raise Conflict(in_use_by(error)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _current(self, request):
        """Return the record, locked, if the client has seen its current version."""
        record = self.get_object()
        sent = request.headers.get("If-Match")
        if not sent:
            raise PreconditionRequired()
        if etag_of(record) not in {tag.strip() for tag in sent.split(",")}:
            self.model_changed(record)
        return record

    def model_changed(self, record):
        """Refuse a write based on an older version, showing the current one."""
        response = Response(
            {
                "detail": _(
                    "This record has changed since you read it. Here is the "
                    "current version: apply your change to it and send its ETag."
                ),
                "current": self.get_serializer(record).data,
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        response["ETag"] = etag_of(record)
        raise Refused(response)

    def check_district(self, data):
        """Refuse to file a record under a district the user may not change."""
        if "district" not in data and self.request.method != "POST":
            return
        district = data.get("district")
        if not may_add_in(self.request.user, district, self.model):
            raise exceptions.PermissionDenied(
                _("You may not file records under this district.")
            )


class Refused(exceptions.APIException):
    """Carries a whole response out of a write, for the exception handler."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def handle_exception(exc, context):
    """DRF's exception handler, plus the 412 responses of stale writes."""
    if isinstance(exc, Refused):
        return exc.response
    return exception_handler(exc, context)


def _select_and_prefetch(model, columns):
    """What a kind's serializer reads, in a fixed number of queries."""
    select, prefetch = [], []
    for name in columns:
        field = model._meta.get_field(name)
        if field.many_to_many:
            target = field.related_model
            public = target._base_manager.filter(publication_status=PUBLISHED)
            prefetch.append(Prefetch(name, queryset=public))
        elif field.is_relation:
            select.append(name)
    return tuple(select), tuple(prefetch)


def viewset_for(kind):
    """Return the view set of ``kind`` (a ``programs.kinds.Kind``)."""
    columns = kind.direct_columns
    serializer = serializers.serializer_for(kind.model, columns, kind.name_fields)
    select, prefetch = _select_and_prefetch(kind.model, columns)
    if "parties" in kind.columns:
        serializer = serializers.with_parties(serializer)
        prefetch += (
            Prefetch(
                "party_roles",
                queryset=AgreementParty.objects.filter(
                    organization__publication_status=PUBLISHED
                ).select_related("organization"),
                to_attr="public_parties",
            ),
        )
    return with_read_docs(
        type(
            f"{kind.model.__name__}ViewSet",
            (RecordViewSet,),
            {
                "model": kind.model,
                "serializer_class": serializer,
                "filterset_class": kind.filterset,
                "select_related": select,
                "prefetch_related": prefetch,
            },
        )
    )


def with_read_docs(viewset):
    """Describe the reads of ``viewset``: their summaries and their errors."""
    opts = viewset.model._meta
    return extend_schema_view(
        list=extend_schema(
            summary=f"Published {opts.verbose_name_plural}, filtered and paged",
            description=(
                "The same filters as the site's list, by slug where they name a "
                "record: the same query string gives the same rows in the same "
                "order. Pages carry their total (count) and Link headers; an "
                "unchanged list answers 304 to If-None-Match or "
                "If-Modified-Since. 筛选条件与网站列表相同：同样的查询字符串返回"
                "同样的记录；分页附总数和 Link 头；未变更时返回 304。"
            ),
            responses={
                200: viewset.serializer_class(many=True),
                304: None,
                400: FIELD_ERRORS,
                **READ_ERRORS,
            },
        ),
        retrieve=extend_schema(
            summary=f"One published {opts.verbose_name}",
            description=(
                "Its ETag is what a write must send in If-Match. Related records "
                "are given by slug, with their API address in <name>_url; an "
                "unpublished one is null. 其 ETag 即写入时 If-Match 所需的值；"
                "关联记录以 slug 表示，未发布的为 null。"
            ),
            responses={200: viewset.serializer_class, 304: None, **READ_ERRORS},
        ),
    )(viewset)


@with_read_docs
class FigureViewSet(RecordViewSet):
    """Announced figures, each with how many matching records are on file."""

    model = AnnouncedFigure
    serializer_class = serializers.figure_serializer()
    filterset_class = FigureFilterSet
    select_related = ("district", "organization", "agreement", "source")

    def public_records(self):
        return AnnouncedFigure.objects.public().with_on_record()


VIEWSETS = {kind.key: viewset_for(kind) for kind in KINDS}
VIEWSETS["announcedfigure"] = FigureViewSet
