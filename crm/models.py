"""The CRM holds staff screens, not records: customers and consents live in `accounts`
(moved in issue 9). Support cases, SLA and roles arrive with the CRM issues."""
