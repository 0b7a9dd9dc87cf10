"""The CRM's Wagtail admin views that are more than a declarative viewset, by topic."""
