"""Where each region's tile sits on the regions page's map: a hand-placed grid.

The map is a tile grid, one square per region, not a map of borders. The
layout below is the project's own, placed by hand so that each tile keeps
roughly the place of its region relative to its neighbours (north up, west
left): Ukraine's oblasts, Kyiv, Crimea and Sevastopol, and the Russian
regions along the border or further inside Russia that claims have named.
No outline or boundary data is used, and the grid says nothing about where
any border runs.

Columns count from the west, rows from the north. A region that claims name
but that has no tile here is still counted, in the table beside the map.
"""

from __future__ import annotations

# code: (column, row)
TILES: dict[str, tuple[int, int]] = {
    # Russia, north and east of Ukraine
    "RU-SMO": (4, 0),
    "RU-BRY": (5, 0),
    "RU-KRS": (6, 0),
    "RU-LIP": (7, 0),
    "RU-SAR": (9, 0),
    "RU-BEL": (7, 1),
    "RU-VOR": (8, 1),
    "RU-ROS": (7, 3),
    "RU-KDA": (7, 5),
    # Ukraine, north to south
    "UA-07": (1, 1),  # Volyn
    "UA-56": (2, 1),  # Rivne
    "UA-18": (3, 1),  # Zhytomyr
    "UA-32": (4, 1),  # Kyiv oblast
    "UA-74": (5, 1),  # Chernihiv
    "UA-59": (6, 1),  # Sumy
    "UA-46": (0, 2),  # Lviv
    "UA-61": (1, 2),  # Ternopil
    "UA-68": (2, 2),  # Khmelnytskyi
    "UA-05": (3, 2),  # Vinnytsia
    "UA-30": (4, 2),  # Kyiv
    "UA-53": (5, 2),  # Poltava
    "UA-63": (6, 2),  # Kharkiv
    "UA-09": (7, 2),  # Luhansk
    "UA-21": (0, 3),  # Zakarpattia
    "UA-26": (1, 3),  # Ivano-Frankivsk
    "UA-77": (2, 3),  # Chernivtsi
    "UA-71": (4, 3),  # Cherkasy
    "UA-12": (5, 3),  # Dnipropetrovsk
    "UA-14": (6, 3),  # Donetsk
    "UA-35": (4, 4),  # Kirovohrad
    "UA-23": (5, 4),  # Zaporizhzhia
    "UA-51": (3, 5),  # Odesa
    "UA-48": (4, 5),  # Mykolaiv
    "UA-65": (5, 5),  # Kherson
    "UA-40": (4, 6),  # Sevastopol
    "UA-43": (5, 6),  # Crimea
}

COLUMNS = 1 + max(column for column, _row in TILES.values())
ROWS = 1 + max(row for _column, row in TILES.values())
