from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Talent programmes")

    def ready(self):
        from . import locking
        from .cache import connect_signals

        # Any write to a record makes the cached public pages stale.
        connect_signals(self)
        # Any save of a record outdates the admin forms opened before it.
        locking.connect_signals(self)
