"""Data health: the warehouse checked against its contract (as `python -m data_access check`), for managers."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from ui import data, health, identity, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

lang = widgets.page_header(N_("Data health")).lang
if not identity.scope(lang).everything:  # the findings name tables, columns and keys of every belt
    st.info(t("Only managers see the data health check.", lang), icon=":material/lock:")
    st.stop()

again = st.button(t("Run the check again", lang), icon=":material/refresh:")
with data.page_errors(), st.spinner(t("Checking the warehouse against its contract…", lang)):
    result = data.contract_findings(again=again)

st.caption(t("Checked at {time} in {seconds} s: {tables} of 7 tables, {rows} rows.", lang,
             time=result.checked_at.isoformat(sep=" "), seconds=f"{result.seconds:.1f}", tables=result.tables,
             rows=f"{result.rows:,}"))
c1, c2 = st.columns(2)
c1.metric(t("Errors", lang), len(result.errors),
          help=t("Figures would be wrong: fix these in the warehouse or its views.", lang))
c2.metric(t("Warnings", lang), len(result.warnings), help=t("Figures are right, but the data looks suspicious.", lang))
if health.violations(result):
    st.error(t("Figures on these pages may be wrong: {pages}.", lang,
               pages=", ".join(t(p, lang) for p in health.affected_pages(result))), icon=":material/error:")
if result.findings:
    st.dataframe(health.findings_frame(result, lang), hide_index=True, width="stretch")
else:
    st.success(t("The warehouse honours its contract: no errors, no warnings.", lang), icon=":material/check_circle:")
st.caption(t("The same check from the command line: python -m data_access check (see the README, “Bring your own "
             "warehouse”).", lang))
