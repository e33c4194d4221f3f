"""
Signing in to the admin: the client's address and the lockout page.

django-axes counts failed sign-ins per username and address
(``AXES_LOCKOUT_PARAMETERS`` in the settings) and calls these two functions.
"""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def client_address(request):
    """Return the address a request came from, trusting only our own proxies.

    With ``PROXY_COUNT`` proxies in front of the site, each appends the
    address it received the request from to ``X-Forwarded-For``, and the
    last one's own address is ``REMOTE_ADDR``: the client is then the
    ``PROXY_COUNT``-th address from the right. Anything further left was
    sent by the client and may be made up. With no proxies (the default) the
    header is ignored altogether.
    """
    remote = request.META.get("REMOTE_ADDR")
    if settings.PROXY_COUNT <= 0:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote  # did not come through all of our proxies
    return forwarded[-settings.PROXY_COUNT]


def cool_off_in_words(cool_off):
    """Return how long a lockout lasts, in words: "an hour", "15 minutes"."""
    minutes = max(1, round(cool_off.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("an hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("a minute", "%(count)d minutes", minutes) % {"count": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """Return the 429 page shown while a username is locked from an address."""
    cool_off = get_cool_off(request)
    if cool_off:
        message = _(
            "Too many failed sign-ins for this account from your address. "
            "Try again in %(duration)s."
        ) % {"duration": cool_off_in_words(cool_off)}
    else:
        message = _(
            "Too many failed sign-ins for this account from your address. "
            "Ask an administrator to unlock it."
        )
    context = {**admin.site.each_context(request), "message": message}
    return TemplateResponse(
        request,
        "admin/lockout.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    ).render()
