"""Travel times (minutes) from villages to facilities, by the county's setting: straight line × detour
factor at an average speed (locate.coordinate_costs), or shortest paths on an imported road network."""
from __future__ import annotations

import numpy as np

from xiangcun.divisions.models import Division, Level
from xiangcun.locate import RoadNetwork, coordinate_costs, great_circle_km
from xiangcun.locate.errors import LocateError

from .models import TravelMode, TravelSetting


class TravelError(Exception):
    """Travel cannot be measured (bad road file, missing coordinates); Chinese message."""


def county_of(unit: Division) -> Division:
    if unit.level <= Level.COUNTY:
        return unit
    return next((a for a in unit.ancestors() if a.level == Level.COUNTY), unit)


def setting_for(unit: Division) -> TravelSetting:
    county = county_of(unit)
    setting = TravelSetting.objects.filter(county=county).first()
    return setting or TravelSetting(county=county)


def parse_roads(data) -> tuple[RoadNetwork, str]:
    """A road network from GeoJSON (dict or text), with a one-line Chinese summary; TravelError if unusable."""
    try:
        net = RoadNetwork.from_geojson(data, default_speed=None)
    except LocateError as exc:
        raise TravelError(str(exc)) from None
    return net, f"{len(net.nodes)} 个节点、{net.n_edges // 2 if net.n_edges > 1 else net.n_edges} 条路段、{net.n_components} 个连通片"


def matrix(setting: TravelSetting, demand_lonlat, site_lonlat) -> np.ndarray:
    """Minutes from every demand point to every site (inf where the road network does not connect them)."""
    d = np.asarray(demand_lonlat, dtype=float).reshape(-1, 2)
    s = np.asarray(site_lonlat, dtype=float).reshape(-1, 2)
    if len(d) == 0 or len(s) == 0:
        return np.zeros((len(d), len(s)))
    if setting.mode == TravelMode.ROAD and setting.roads:
        try:
            net = RoadNetwork.from_geojson(setting.roads)
            tm = net.travel_matrix(d, s, access_speed_kmh=setting.access_speed_kmh or 5, dtype=np.float64)
        except LocateError as exc:
            raise TravelError(str(exc)) from None
        return np.asarray(tm.costs, dtype=float)
    try:
        return coordinate_costs(d, s, detour=max(1.0, setting.detour), speed_kmh=setting.speed_kmh)
    except LocateError as exc:
        raise TravelError(str(exc)) from None


def distance_km(setting: TravelSetting, demand_lonlat, site_lonlat) -> np.ndarray:
    """Road-like distance for radius rules: great circle × detour factor."""
    d = np.asarray(demand_lonlat, dtype=float).reshape(-1, 2)
    s = np.asarray(site_lonlat, dtype=float).reshape(-1, 2)
    if len(d) == 0 or len(s) == 0:
        return np.zeros((len(d), len(s)))
    return great_circle_km(d, s) * max(1.0, setting.detour)
