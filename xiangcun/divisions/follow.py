"""What a merger does to every module: the follow-hooks the registry calls when it reparents or closes a unit.

This is the one place to read it. No business rule rides on Django signals; the registry's services
call these hooks by name, and each module registers what it does in its `AppConfig.ready()`:
`follow.register("assets", path_changed=..., unit_closed=...)`.

Hooks
-----
`path_changed(unit, old_path, new_path)`
    A current unit's materialised path changed: the unit was transferred (隶属变更), or it is a lower
    unit that a merger or a split moved under the successor — and, for each of those, every current
    unit under it (each gets its own call, top first). Called by `services._change` right after the
    unit's row is saved with the new path. A rename, a recode or a new code leave the path alone: no call.

`unit_closed(unit, when)`
    A unit ends on `when` (合并, 拆分, 撤销). Called by `services._close` after the unit's row is saved
    with `valid_to = when` and after its lower units were moved to the successor (their
    `path_changed` calls come first). The change event already names its successors, so
    `services.successors_on(unit, date)` answers who took the unit over. `when` may lie in the
    future (a closing recorded ahead of time): a follower decides whether to act now.

Who follows, in this order (INSTALLED_APPS order, in which the apps' `ready()` register)
-----------------------------------------------------------------------------------------
1. bodies (`bodies/apps.py`)
   - unit_closed: the unit's bodies (its government, offices, 两委) close on the same day and name the
     matching body of the unit that took it over as `successor` (registered there if it had none), so work
     assigned to them is shown passing on (`bodies.services.follow_closed_unit`, audited as "body.closed").
     A body hangs on its unit by FK: nothing to copy when a path changes.
2. collective (`collective/apps.py`, listed before assets)
   - unit_closed (villages only): a merged village's collective economic organisations are not dissolved by the
     merger: each now belongs to the village that took it over (`Organisation.village`), its village history
     (`Affiliation`) closing on the day and opening on the successor, audited as "collective.follow_merger";
     how they integrate is decided later by their members (`collective.services.record_integration`).
3. assets (`assets/apps.py`)
   - path_changed: copies the unit's new path onto `Asset.holder_path` / `custodian_path` of the
     assets it holds or looks after (`retarget_paths`; deleted assets too).
   - unit_closed: custody follows the merger — the assets the unit looked after pass to its successor
     at once (`assets.services.refresh_custody`, each move audited as "asset.custody") when the
     closing is dated today or earlier; one dated later waits for the ledger page's
     按区划沿革重新确定管护单位 button.
     A custody move changes which village earns a lease's rent: the asset ledger tells its own
     followers (`assets.services.LEDGER`, hook `lease_income_changed(years, villages)`), where
     indicators (`indicators/apps.py`) re-reads the ledger's lease income into CE_ASSET_RENT. The same
     hook is called by every ledger write that changes rent (a lease carried out, a holder changed,
     an asset deleted or restored).
4. services (`services/apps.py`)
   - path_changed (villages only): the village's cases (`Case.unit_path`) and its monthly rollups
     (`VillageMonth.unit_path`) take the new path (`retarget_paths`); moved to another county, its
     by-item counters (`ItemMonth`) move to the new county's rows.
5. zones (`zones/apps.py`)
   - unit_closed: in every zoning scheme the closed unit's place passes to its successor (which joins the closed
     unit's zone unless it is in a zone of that scheme already); a closed centre hands the centre role over
     (`zones.services.follow_closed_unit`, audited as "zones.follow"). Closings dated in the future wait. The
     closed unit's designation (村镇分类) ends on the closing day (`zones.plans.close_designations`); its plans
     stay on the register, and a zone emptied by the merger is kept while a plan hangs on it. 耕地保护: a merged
     township's yearly farmland figures are added into its successor's (`merged_from` names it) and the closed
     unit's 图斑 pass to the successor, keeping it as `former_unit` (`zones.farmland.follow_closed_unit`, audited
     as "zones.farmland_follow" / "zones.patch_follow").
6. prereview (`prereview/apps.py`)
   - unit_closed (villages only, dated today or earlier): the village's open 前置审查 applications (not yet
     approved) pass to the village that took it over, with their reviews (`prereview.services.follow_closed_unit`,
     each move audited as "prereview.follow"); approved ones stay on the village where they were approved. Scope
     is by `village__path`, so nothing copied needs `path_changed`.
7. care (`care/apps.py`), after bodies (whose `unit_closed` closes the unit's bodies and names successors)
   - unit_closed (villages only, dated today or earlier): the village's people in the care register pass to the
     village that took it over (`care.services.follow_closed_unit`, each move audited as "care.moved"); scope
     is by `village__path`, so nothing copied needs `path_changed`. Referrals to a closed body are shown
     passing to `Body.final_successor()`.
8. supervision (`supervision/apps.py`), after bodies (which closes the unit's bodies and names successors)
   - unit_closed: the open tasks a closed body led pass to its `final_successor()` (each move audited on the task).
9. governance (`governance/apps.py`), after bodies (whose closing names the offices that carry a list's items now)
   - unit_closed (townships only, dated today or earlier): the township's lists in force are repealed the day before
     (audited as "govlist.closed_by_merger"; a draft of it can no longer be published); the delegations and
     enforcement items it took are taken by its successor too, and its enforcement officers serve the successor
     (`governance.services.follow_closed_unit`, audited as "governance.follow_merger"). Its staff wait on the
     placement list.

Transactions
------------
Every hook runs inside the registry operation's own transaction (`transfer`, `merge`, `split`,
`abolish`, `rename` are atomic; reconciliation's `confirm_proposal` and the 区划变更 import wrap them in theirs):
a follower that raises rolls the whole registry change back, and nothing a follower wrote survives a
refused change.

Who calls them
--------------
Only `divisions.services` (`_change` and `_close`), which every registry change goes through: the
services' transfer/merge/split/abolish/rename, reconciliation (`confirm_proposal`, `confirm_all`), the
区划变更 import (`imports.EventImporter`), the 录入区划变更 form and the demo builders (the API only reads the
registry; Division is not in the Django admin). A new unit (`create_unit`, a baseline, a group import) has nothing to
follow. A backup restore writes rows that already followed, with bulk inserts: it calls no hook.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable


class Registry:
    """Followers of one module's changes: named hooks, called in registration order."""

    def __init__(self, *hooks: str):
        self.hooks = hooks
        self._followers: dict[str, dict[str, Callable]] = {}  # insertion-ordered

    def register(self, name: str, **hooks: Callable) -> None:
        """Register (or replace) follower `name` with some of the hooks; an unknown hook name is a bug."""
        unknown = set(hooks) - set(self.hooks)
        if unknown:
            raise TypeError(f"unknown follow-hook(s) {sorted(unknown)}; known: {list(self.hooks)}")
        self._followers.pop(name, None)
        self._followers[name] = {k: fn for k, fn in hooks.items() if fn is not None}

    def unregister(self, name: str) -> None:
        self._followers.pop(name, None)

    def followers(self, hook: str | None = None) -> list[str]:
        """Names of the followers (of `hook`), in the order they are called."""
        return [name for name, hooks in self._followers.items() if hook is None or hook in hooks]

    def call(self, hook: str, *args) -> None:
        if hook not in self.hooks:
            raise TypeError(f"unknown follow-hook {hook!r}")
        for hooks in list(self._followers.values()):
            fn = hooks.get(hook)
            if fn is not None:
                fn(*args)


REGISTRY = Registry("path_changed", "unit_closed")
register = REGISTRY.register
unregister = REGISTRY.unregister
followers = REGISTRY.followers


def path_changed(unit, old_path: str, new_path: str) -> None:
    """Tell every follower that `unit` moved from `old_path` to `new_path` (see the module docstring)."""
    REGISTRY.call("path_changed", unit, old_path, new_path)


def unit_closed(unit, when: dt.date) -> None:
    """Tell every follower that `unit` ends on `when` (see the module docstring)."""
    REGISTRY.call("unit_closed", unit, when)


def retarget_paths(rows, unit_field: str, path_field: str, unit, new_path: str) -> int:
    """The one copy of "follow the division's path": rows of `rows` (a queryset or manager) that hang on
    `unit` through `unit_field` take `new_path` into their copied `path_field`. A derived copy, so a plain
    `.update()` (not audited: the registry change itself is the audited event). Returns how many changed."""
    return (rows.filter(**{f"{unit_field}_id": unit.pk}).exclude(**{path_field: new_path})
            .update(**{path_field: new_path}))
