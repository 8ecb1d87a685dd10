"""Data health: the warehouse checked against its contract (as `python -m data_access check`), for managers."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from ui import data, health, identity, widgets  # noqa: E402
from ui.i18n import t  # noqa: E402

widgets.page_header(t("Data health"))
if not identity.scope().everything:  # the findings name tables, columns and keys of every belt
    st.info(t("Only managers see the data health check."), icon=":material/lock:")
    st.stop()

again = st.button(t("Run the check again"), icon=":material/refresh:")
with data.page_errors(), st.spinner(t("Checking the warehouse against its contract…")):
    result = data.contract_findings(again=again)

st.caption(t("Checked at {time} in {seconds} s: {tables} of 7 tables, {rows} rows.",
             time=result.checked_at.isoformat(sep=" "), seconds=f"{result.seconds:.1f}", tables=result.tables,
             rows=f"{result.rows:,}"))
c1, c2 = st.columns(2)
c1.metric(t("Errors"), len(result.errors), help=t("Figures would be wrong: fix these in the warehouse or its views."))
c2.metric(t("Warnings"), len(result.warnings), help=t("Figures are right, but the data looks suspicious."))
if health.violations(result):
    st.error(t("Figures on these pages may be wrong: {pages}.",
               pages=", ".join(t(p) for p in health.affected_pages(result))), icon=":material/error:")
if result.findings:
    st.dataframe(health.findings_frame(result), hide_index=True, width="stretch")
else:
    st.success(t("The warehouse honours its contract: no errors, no warnings."), icon=":material/check_circle:")
st.caption(t("The same check from the command line: python -m data_access check (see the README, “Bring your own "
             "warehouse”)."))
