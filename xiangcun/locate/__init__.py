"""Location-allocation engine (Django-free: arrays in, results out).

See ``docs/locate.md``. Public API::

    from xiangcun.locate import solve_pmedian, LocateError
"""

from .errors import InfeasibleError, InputError, LocateError, NetworkError, SolverError
from .pmedian import solve_pmedian
from .result import LocateResult

__all__ = [
    "InfeasibleError",
    "InputError",
    "LocateError",
    "LocateResult",
    "NetworkError",
    "SolverError",
    "solve_pmedian",
]
