"""The public pages a visitor can reach, for the sweeps over all of them.

The markup and accessibility checks walk the same addresses: every page of
the site once, a list with a filter and one with a filter error, and a
detail page of every kind that has a published record.
"""

from django.urls import reverse

from programs.kinds import KINDS

LANGUAGE_PREFIXES = ("", "/zh-hans")


def public_paths():
    """Return the site's public paths (without a language prefix)."""
    paths = [
        reverse("programs:home"),
        reverse("programs:zone"),
        reverse("programs:timeline"),
        reverse("programs:stats"),
        reverse("programs:data"),
        f"{reverse('programs:search')}?q=qingpu",
        f"{reverse('programs:project-list')}?district=qingpu",
        f"{reverse('programs:expert-list')}?year=abc",
    ]
    for kind in KINDS:
        paths.append(reverse(kind.list_url_name))
        record = kind.model.objects.public().first()
        if record is not None:
            paths.append(record.get_absolute_url())
    return [path.removeprefix("/zh-hans") for path in paths]
