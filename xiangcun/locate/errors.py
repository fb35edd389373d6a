"""Errors raised by the location engine.

Every error is a :class:`LocateError` subclass whose message is in Chinese and names the offending
input (row/column numbers are 1-based, as a planner would count them).
"""

from __future__ import annotations


class LocateError(ValueError):
    """Base class of all errors raised by ``xiangcun.locate``."""


class InputError(LocateError):
    """The input data are malformed (NaN, negative costs, wrong shapes, empty inputs, ...)."""


class InfeasibleError(LocateError):
    """The model has no feasible solution (e.g. capacities cannot hold the demand)."""


class NetworkError(LocateError):
    """A road network could not be built or used."""


class SolverError(LocateError):
    """The MILP solver failed or returned no usable solution."""
