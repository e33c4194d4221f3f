"""
Chinese for the admin sections of installed apps that ship none: django-axes
(sign-in lockouts) and the tasks database backend (the queue of background
jobs).

Django looks a message up in every catalogue it loaded, ours first
(LOCALE_PATHS), so axes' ``_("access attempt")`` finds the translation in
programs/locale. The messages are marked here, where makemessages reads
them, so that `make messages` keeps them. Marking is all: nothing here is
ever translated at run time. Messages Django translates already ("Yes",
"Username", "status") are left to Django.

The sections' own names are not messages in those apps ("Axes" is made from
the app's name, "Tasks Database Backend" is written out), so INSTALLED_APPS
names the configs below, which give them translated names.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Job queue")


AXES_MESSAGES = (
    # axes/models.py
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # axes/admin.py
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)

TASKS_MESSAGES = (
    # django_tasks_db/models.py
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    # django_tasks/base.py: a job's status. Django has no pgettext_noop; a
    # lazy translation is as inert until it is shown, which these never are.
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)
