from pathlib import Path

import pytest

ORLIB = Path(__file__).resolve().parents[3].parent / "shared/data/orlib"


@pytest.fixture
def orlib_dir():
    if not ORLIB.is_dir():
        pytest.skip("../shared/data/orlib is absent")
    return ORLIB
