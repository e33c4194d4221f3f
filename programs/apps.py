from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Talent programmes")

    def ready(self):
        from .site import cache
        from .staff import versions

        # Any write to a record makes the cached public pages stale.
        cache.connect_signals(self)
        # ... has the pages' counts made anew and a job rebuild the bulk
        # download.
        from .site import aggregates, data_package

        aggregates.connect_signals()
        data_package.connect_signals()
        # Any save of a record outdates the admin forms opened before it.
        versions.connect_signals(self)
        # Any save of a name refreshes the key Chinese pages sort it by.
        from . import sorting

        sorting.connect_signals(self)
        # The admin lives with the rest of the staff side, not in the
        # programs.admin module that admin.autodiscover() looks for.
        # Connects the sign-in signal that restores a staff member's language.
        from .staff import (
            admin,  # noqa: F401
            language,  # noqa: F401
        )
