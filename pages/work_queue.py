"""Work queue · 待办: which brands need help in STEPS and why (METRICS.md, "Work queue"); the widgets live in
ui/work_queue.py."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

from ui import widgets, work_queue  # noqa: E402
from ui.i18n import N_  # noqa: E402

work_queue.render_page(widgets.page_header(N_("Work queue")))
