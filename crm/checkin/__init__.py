"""The boarding crew's phone pages (/<lang>/staff/check-in/) and the staff check-in API
(/api/v1/checkin/); both call `booking.services.checkin`."""
