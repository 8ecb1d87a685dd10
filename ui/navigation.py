"""The app's pages, declared once: dashboard.py builds the navigation from them, the benchmark measures
them (bench/plans.py) and the tests walk them."""
from __future__ import annotations

# file, url path (the file's stem), title (a message: each page marks it, `widgets.page_header(N_("…"))`), icon
PAGES = (
    ("pages/overview.py", "overview", "Overview", ":material/dashboard:"),
    ("pages/onboarding.py", "onboarding", "Onboarding growth", ":material/trending_up:"),
    ("pages/sales.py", "sales", "Sales multiples", ":material/payments:"),
    ("pages/providers.py", "providers", "Providers", ":material/handshake:"),
    ("pages/steps.py", "steps", "STEPS", ":material/stairs:"),
    ("pages/work_queue.py", "work_queue", "Work queue", ":material/checklist:"),
    ("pages/brand.py", "brand", "Brand", ":material/storefront:"),
    ("pages/trust_roi.py", "trust_roi", "Trust & ROI", ":material/verified_user:"),
    ("pages/data_health.py", "data_health", "Data health", ":material/health_and_safety:"),
)
MANAGERS_ONLY = {"data_health"}  # the warehouse check's findings name keys of every belt
