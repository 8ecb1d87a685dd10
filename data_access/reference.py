"""Small reference lists the filters are built from (not metrics)."""
import pandas as pd
from sqlalchemy import select

from .schema import industry_belts
from .warehouse import Warehouse


def belts(wh: Warehouse) -> pd.DataFrame:
    """Every industry belt with its names and province, ordered by province then Chinese name."""
    b = industry_belts
    stmt = select(b.c.belt_id, b.c.name_zh, b.c.name_en, b.c.province, b.c.city, b.c.main_category)
    return wh.frame(stmt.order_by(b.c.province, b.c.name_zh, b.c.belt_id))
