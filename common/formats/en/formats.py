# Times are 24-hour on this site (timetables, tickets), not Django's "11 a.m.".
MONTH_DAY_TIME_FORMAT = "F j, H:i"
DATE_TIME_FORMAT = "N j, Y, H:i"
WEEKDAY_DATE_FORMAT = "l, N j, Y"
