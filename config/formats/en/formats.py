# "1 February 2026", "1 February 2026, 21:00"; axis labels "18 March", "March 2025".
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y"
