# Django's Russian MONTH_DAY_FORMAT is "j F", the nominative ("7 Декабрь"); a day of a
# month takes the genitive, `E` ("7 декабря").
MONTH_DAY_FORMAT = "j E"
MONTH_DAY_TIME_FORMAT = "j E, H:i"
DATE_TIME_FORMAT = "j E Y г., H:i"
WEEKDAY_DATE_FORMAT = "l, j E Y г."
