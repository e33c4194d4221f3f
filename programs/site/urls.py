from django.urls import path

from . import feeds, home, records, search, stats

app_name = "programs"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("stats/", stats.StatisticsView.as_view(), name="stats"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("districts/", records.DistrictListView.as_view(), name="district-list"),
    path(
        "districts/<slug:slug>/",
        records.DistrictDetailView.as_view(),
        name="district-detail",
    ),
    path(
        "organizations/",
        records.OrganizationListView.as_view(),
        name="organization-list",
    ),
    path(
        "organizations/<slug:slug>/",
        records.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("agreements/", records.AgreementListView.as_view(), name="agreement-list"),
    path(
        "agreements/<slug:slug>/",
        records.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path("projects/", records.ProjectListView.as_view(), name="project-list"),
    path(
        "projects/<slug:slug>/",
        records.ProjectDetailView.as_view(),
        name="project-detail",
    ),
    path(
        "workstations/", records.WorkstationListView.as_view(), name="workstation-list"
    ),
    path(
        "workstations/<slug:slug>/",
        records.WorkstationDetailView.as_view(),
        name="workstation-detail",
    ),
    path("experts/", records.ExpertListView.as_view(), name="expert-list"),
    path(
        "experts/<slug:slug>/", records.ExpertDetailView.as_view(), name="expert-detail"
    ),
    path(
        "entrepreneurs/",
        records.EntrepreneurListView.as_view(),
        name="entrepreneur-list",
    ),
    path(
        "entrepreneurs/<slug:slug>/",
        records.EntrepreneurDetailView.as_view(),
        name="entrepreneur-detail",
    ),
    path("sources/", records.SourceListView.as_view(), name="source-list"),
    path(
        "sources/<slug:slug>/", records.SourceDetailView.as_view(), name="source-detail"
    ),
    path("feeds/agreements/", feeds.AgreementFeed(), name="agreement-feed"),
    path("feeds/projects/", feeds.ProjectFeed(), name="project-feed"),
]
