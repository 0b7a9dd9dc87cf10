"""The site's date and number formats per language (Django's `FORMAT_MODULE_PATH`).

Each `<locale>/formats.py` overrides only what Django's own locale formats get wrong for
this site, and adds the combined formats that pages, e-mails, PDFs and SMS use instead of
gluing a date and a time together with a Latin comma:

- `MONTH_DAY_FORMAT`: "7 декабря" (genitive, `E`), "December 7", "12月7日".
- `MONTH_DAY_TIME_FORMAT`: "7 декабря, 11:00", "December 7, 11:00", "12月7日 11:00".
- `DATE_TIME_FORMAT`: a full date and a 24-hour time, "7 декабря 2026 г., 11:00",
  "Dec. 7, 2026, 11:00", "2026年12月7日 11:00".
- `WEEKDAY_DATE_FORMAT`: "понедельник, 7 декабря 2026 г.", "Monday, Dec. 7, 2026",
  "2026年12月7日 星期一".

Every language of `LANGUAGES` defines every one of them (Django would print an unknown
format name literally); `tests/common/test_formats.py` checks it. Outside a request
(e-mail, PDF, SMS) activate the order's language first: `translation.override`.
"""

from django.utils.formats import date_format

CUSTOM_FORMATS = ("MONTH_DAY_TIME_FORMAT", "DATE_TIME_FORMAT", "WEEKDAY_DATE_FORMAT")


def month_day_time(value) -> str:
    """A moment without its year, in the active language: "7 декабря, 11:00"."""
    return date_format(value, "MONTH_DAY_TIME_FORMAT")


def date_time(value) -> str:
    """A moment with its year, in the active language: "7 декабря 2026 г., 11:00"."""
    return date_format(value, "DATE_TIME_FORMAT")
