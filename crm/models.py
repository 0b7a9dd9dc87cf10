# Customers, support cases, SLA and roles arrive with the CRM issues.
