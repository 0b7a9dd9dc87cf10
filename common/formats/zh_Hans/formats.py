# Django's Chinese MONTH_DAY_FORMAT pads the month ("09月5日"); a date and a time are
# separated by a space, never a Latin comma.
MONTH_DAY_FORMAT = "n月j日"
MONTH_DAY_TIME_FORMAT = "n月j日 H:i"
DATE_TIME_FORMAT = "Y年n月j日 H:i"
WEEKDAY_DATE_FORMAT = "Y年n月j日 l"
# Prices group thousands with a comma ("12,000 ₽"); Django's zh_Hans has no separator
# and groups by four digits.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
