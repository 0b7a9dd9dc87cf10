"""The one shape of a refused operation: an exception carrying a reason code (tests and API
clients read it) and a message translated from its app's catalogue of codes. Each app
subclasses it with its own `MESSAGES` (booking.services.errors.BookingError,
accounts.errors.AccountError, accounts.privacy.PrivacyError); the API answers any of them
as `{code, message}` (config/api.py)."""


class CodedError(Exception):
    # code → lazily translated message, a %-format string when the error takes params.
    MESSAGES: dict = {}

    def __init__(self, code: str, **params):
        if code not in self.MESSAGES:  # a programming error; not an assert, which -O removes
            raise ValueError(code)
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        text = str(self.MESSAGES[self.code])
        return text % self.params if self.params else text
