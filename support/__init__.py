"""Support cases (issue 12): the customer's cases and their messages, the SLA clock, the
intake by the site's form and by e-mail (IMAP). Staff screens live in `crm`; this app is
the domain and the customer's side of it, as `booking` is for orders."""
