"""The demo county's generated boundaries (built once per session, written into each test) and village
populations, for the zones tests."""
import random

import pytest

from xiangcun.divisions.models import Division, Level

_GEOMETRY = {}  # (code, name, valid_from) → (geometry, lon, lat): generating it takes seconds


@pytest.fixture
def county(maerkang):
    from xiangcun.divisions import geo

    units = list(Division.objects.subtree(maerkang))
    key = lambda d: (d.code, d.name, d.valid_from)  # noqa: E731
    if not _GEOMETRY:
        geo.generate_demo_geometry(maerkang)
        units = list(Division.objects.subtree(maerkang))
        _GEOMETRY.update({key(d): (d.geometry, d.lon, d.lat) for d in units if d.geometry})
    else:
        for d in units:
            d.geometry, d.lon, d.lat = _GEOMETRY.get(key(d), (None, None, None))
        Division.objects.bulk_update(units, ["geometry", "lon", "lat"])
    rng = random.Random(19)
    villages = [d for d in units if d.level == Level.VILLAGE and d.valid_to is None]
    for v in villages:
        v.population = rng.randint(300, 3000)
    Division.objects.bulk_update(villages, ["population"])
    return Division.objects.get(pk=maerkang.pk)


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """A client whose POSTs run the jobs they start (jobs are enqueued on commit)."""
    post = client.post

    def posting(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = posting
    return client
