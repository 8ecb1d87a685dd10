"""Small reference lists the filters are built from (not metrics)."""
import pandas as pd
from sqlalchemy import func, select

from ..warehouse import schema
from ..warehouse.connection import Warehouse
from ..warehouse.filters import DataSpan, Filters, brand_conditions
from ..warehouse.marts import definitions as marts_definitions, read as marts_read
from ..warehouse.schema import brands, industry_belts, orders


def belts(wh: Warehouse, scope: Filters | None = None) -> pd.DataFrame:
    """The industry belts a user may choose from, with their names and province, ordered by province then
    Chinese name: every belt, or only those of `scope`'s access scope (an operator's belts; the belts of a
    provider's clients). Only the scope fields of `scope` are read."""
    b = industry_belts
    stmt = select(b.c.belt_id, b.c.name_zh, b.c.name_en, b.c.province, b.c.city, b.c.main_category)
    if scope is not None and scope.scope_belts is not None:
        stmt = stmt.where(b.c.belt_id.in_([x for x in scope.scope_belts if x != schema.NO_BELT]))
    if scope is not None and scope.scope_provider is not None:
        only_scope = Filters(scope_belts=scope.scope_belts, scope_provider=scope.scope_provider).resolved(wh.as_of())
        stmt = stmt.where(b.c.belt_id.in_(
            select(brands.c.belt_id).where(brands.c.belt_id.is_not(None), *brand_conditions(only_scope))))
    return wh.frame(stmt.order_by(b.c.province, b.c.name_zh, b.c.belt_id))


def data_span(wh: Warehouse) -> DataSpan:
    """The days the warehouse holds data on, which date ranges are kept near (filters.bounded_range): from
    its earliest order or onboarding, whichever comes first, to the as-of date."""
    # the small table when fresh
    first_order = (select(func.min(marts_definitions.mart_daily.c.day)) if marts_read.fresh(wh)
                   else select(func.min(orders.c.ordered_at)))
    df = wh.frame(select(first_order.scalar_subquery().label("first_order"),
                         select(func.min(brands.c.onboarded_on)).scalar_subquery().label("first_onboarding")))
    last = wh.as_of()
    days = [pd.Timestamp(v).date() for v in df.iloc[0] if v is not None and not pd.isna(v)]
    return DataSpan(first=min([*days, last]), last=last)
