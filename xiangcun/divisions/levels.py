"""The levels of the administrative hierarchy (a pure vocabulary: scoping and models both name it)."""
from django.db import models


class Level(models.IntegerChoices):
    PROVINCE = 1, "省级"
    CITY = 2, "地级"
    COUNTY = 3, "县级"
    TOWNSHIP = 4, "乡级"
    VILLAGE = 5, "村级"
    GROUP = 6, "村民小组"
