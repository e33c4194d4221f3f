// The export page's "Select all" box (templates/admin/import_export/export.html),
// bound here rather than by the inline onchange django-import-export writes,
// which the Content-Security-Policy refuses. onSelectToggleChange is
// django-import-export's own, from export_selectable_fields.js.
"use strict";
for (const toggle of document.querySelectorAll(".select-toggle")) {
  toggle.addEventListener("change", onSelectToggleChange);
}
