from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("districts/", views.DistrictListView.as_view(), name="district-list"),
    path(
        "districts/<slug:slug>/",
        views.DistrictDetailView.as_view(),
        name="district-detail",
    ),
    path(
        "organizations/", views.OrganizationListView.as_view(), name="organization-list"
    ),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path(
        "agreements/<slug:slug>/",
        views.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path(
        "projects/<slug:slug>/",
        views.ProjectDetailView.as_view(),
        name="project-detail",
    ),
    path("workstations/", views.WorkstationListView.as_view(), name="workstation-list"),
    path(
        "workstations/<slug:slug>/",
        views.WorkstationDetailView.as_view(),
        name="workstation-detail",
    ),
    path("experts/", views.ExpertListView.as_view(), name="expert-list"),
    path(
        "experts/<slug:slug>/", views.ExpertDetailView.as_view(), name="expert-detail"
    ),
    path(
        "entrepreneurs/", views.EntrepreneurListView.as_view(), name="entrepreneur-list"
    ),
    path(
        "entrepreneurs/<slug:slug>/",
        views.EntrepreneurDetailView.as_view(),
        name="entrepreneur-detail",
    ),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path(
        "sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"
    ),
]
