"""
The public site's URLs: home, statistics, the timeline, search, a list and a
detail page per kind of record, the bulk download, the Atom feeds, and staff
previews of records not yet public.

URL names follow one spelling per kind (``programs.kinds``): the list of
experts is ``programs:expert-list`` and each expert ``programs:expert-detail``.
"""

from django.urls import path

from . import (
    data,
    data_package,
    feeds,
    home,
    preview,
    records,
    search,
    stats,
    timeline,
    zone,
)

app_name = "programs"


def record_pages(prefix, list_view, detail_view):
    """Return the list and detail URLs of one kind of record, under ``prefix``."""
    key = list_view.model._meta.model_name
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{key}-list"),
        path(f"{prefix}/<slug:slug>/", detail_view.as_view(), name=f"{key}-detail"),
    ]


urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("stats/", stats.StatisticsView.as_view(), name="stats"),
    path("timeline/", timeline.TimelineView.as_view(), name="timeline"),
    path("timeline/feed/", feeds.TimelineFeed(), name="timeline-feed"),
    path("zone/", zone.ZoneView.as_view(), name="zone"),
    path("search/", search.SearchView.as_view(), name="search"),
    *record_pages("districts", records.DistrictListView, records.DistrictDetailView),
    *record_pages(
        "organizations",
        records.OrganizationListView,
        records.OrganizationDetailView,
    ),
    *record_pages("agreements", records.AgreementListView, records.AgreementDetailView),
    *record_pages("projects", records.ProjectListView, records.ProjectDetailView),
    *record_pages(
        "workstations", records.WorkstationListView, records.WorkstationDetailView
    ),
    *record_pages("experts", records.ExpertListView, records.ExpertDetailView),
    *record_pages(
        "entrepreneurs",
        records.EntrepreneurListView,
        records.EntrepreneurDetailView,
    ),
    *record_pages("sources", records.SourceListView, records.SourceDetailView),
    # The whole published dataset: data.py and data_package.py.
    path("data/", data.DataView.as_view(), name="data"),
    *(
        path(
            f"data/{data_package.NAME}.{file_format}",
            data.download,
            {"file_format": file_format},
            name=f"data-{file_format}",
        )
        for file_format in data_package.FORMATS
    ),
    path("feeds/agreements/", feeds.AgreementFeed(), name="agreement-feed"),
    path("feeds/projects/", feeds.ProjectFeed(), name="project-feed"),
    # Staff only, and 404 to anyone else: see programs/site/preview.py.
    path("preview/<slug:key>/<slug:slug>/", preview.preview, name="preview"),
]
