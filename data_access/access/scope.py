"""What a user may see (`Scope`), and the one way a scope enters the Filters.

The roles file (access.roles) gives each user a Scope; `Scope.apply(filters)` writes it into a Filters,
overriding whatever was there, and `filters.brand_conditions` puts it into every query's WHERE clause.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..warehouse.filters import Filters

KINDS = ("manager", "operator", "provider")
LOCAL_USER = "local"


class AccessDenied(Exception):
    """This identity may see no data; str() says why."""



@dataclass(frozen=True)
class Scope:
    """What one user may see. Hashable: part of every cache key through Filters."""
    user: str
    kind: str                                  # manager | operator | provider | none
    role: str = ""                             # the role's name in the roles file
    belts: tuple[str, ...] | None = None       # None: every belt
    provider_id: int | None = None             # provider scope: its clients, its own row, peers anonymous
    reason: str = ""                           # why a `none` scope sees nothing

    def __post_init__(self):
        if self.belts is not None:
            object.__setattr__(self, "belts", tuple(sorted(set(self.belts))))

    @property
    def everything(self) -> bool:
        return self.kind == "manager"

    @property
    def denied(self) -> bool:
        return self.kind == "none" or (self.belts is not None and not self.belts)

    def apply(self, f: Filters) -> Filters:
        """`f` inside this scope: the scope fields are replaced, never merged, so no caller can widen them."""
        if self.denied:
            raise AccessDenied(self.reason or f"{self.user} may see no data")
        return replace(f, scope_belts=self.belts, scope_provider=self.provider_id, scope_day=None)

    def allows_belt(self, belt_id: str) -> bool:
        return self.belts is None or belt_id in self.belts

    def describe(self) -> str:
        """One short line for the audit log: `manager`, `operator:a,b`, `provider:104`, `none`."""
        if self.kind == "operator":
            return "operator:" + ",".join(self.belts or ())
        if self.kind == "provider":
            return f"provider:{self.provider_id}"
        return self.kind


LOCAL_MANAGER = Scope(user=LOCAL_USER, kind="manager", role="local")


def nobody(user: str, reason: str) -> Scope:
    return Scope(user=user, kind="none", belts=(), reason=reason)
