"""Forms of the CRM's Wagtail admin screens, by topic. They parse and check input; the
booking services decide."""
