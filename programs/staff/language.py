"""
The admin in English or Simplified Chinese, as each member of staff prefers.

The public site takes its language from its address (``/`` is English,
``/zh-hans/`` Chinese), and Django's LocaleMiddleware holds every other
address, the admin's included, to English. Staff read Chinese first, so in
the admin this middleware activates instead:

1. the language the member of staff chose with the switch in the admin's
   header (kept on their account, ``StaffLanguage``, and in the session);
2. otherwise their browser's language (its ``Accept-Language``).

The choice is copied into the session when they sign in, so that no admin
page pays a query for it.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import StaffLanguage
from .addresses import in_the_admin

SESSION_KEY = "admin_language"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class AdminLanguageMiddleware:
    """Activate the staff member's language on the admin's pages.

    After LocaleMiddleware (whose choice it overrides for the admin only)
    and after sessions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if in_the_admin(request):
            language = request.session.get(SESSION_KEY)
            if language not in LANGUAGE_CODES:
                language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def set_admin_language(request):
    """Remember the language chosen in the admin's header, and go back.

    Anyone may choose (the sign-in page has the switch too); for a signed-in
    member of staff it is kept on their account as well.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language")
    if language in LANGUAGE_CODES:
        request.session[SESSION_KEY] = language
        user = request.user
        if user.is_authenticated and user.is_staff:
            StaffLanguage.objects.update_or_create(
                user=user, defaults={"language": language}
            )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    return HttpResponseRedirect(next_url)


@receiver(user_logged_in)
def restore_admin_language(sender, request, user, **kwargs):
    """Bring the staff member's chosen language into their new session."""
    if request is None or not hasattr(request, "session"):
        return
    chosen = (
        StaffLanguage.objects.filter(user=user)
        .values_list("language", flat=True)
        .first()
    )
    if chosen:
        request.session[SESSION_KEY] = chosen
