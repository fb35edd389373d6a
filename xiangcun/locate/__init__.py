"""Location-allocation engine (Django-free: arrays in, results out).

See ``docs/locate.md``. Every solver takes a cost matrix (demand points × candidate sites) and returns a
:class:`LocateResult`; every error is a :class:`LocateError` with a Chinese message.
"""

from .costs import RoadNetwork, TravelMatrix, coordinate_costs, euclidean_costs, great_circle_km
from .errors import InfeasibleError, InputError, LocateError, NetworkError, SolverError
from .formulations import solve_capacitated, solve_consolidation, solve_lscp, solve_mclp, solve_pcenter
from .instance import solve_instance
from .pmedian import solve_pmedian
from .result import LocateResult

__all__ = [
    "InfeasibleError", "InputError", "LocateError", "LocateResult", "NetworkError", "RoadNetwork",
    "SolverError", "TravelMatrix", "coordinate_costs", "euclidean_costs", "great_circle_km",
    "solve_capacitated", "solve_consolidation", "solve_instance", "solve_lscp", "solve_mclp",
    "solve_pcenter", "solve_pmedian",
]
