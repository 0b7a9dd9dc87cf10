"""The CRM's Wagtail viewsets by topic; `crm.wagtail_hooks` registers them."""
