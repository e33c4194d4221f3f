"""Which requests are the admin's."""

from django.urls import reverse


def in_the_admin(request):
    """Return True if ``request`` is for a page of the admin.

    By ``request.path``, which keeps the script prefix that the admin's
    reversed address starts with: ``path_info`` drops it, and under a prefix
    (a site served at ``/talentzone/``) it never matched.
    """
    return request.path.startswith(reverse("admin:index"))
