"""Helpers shared by every app, at the bottom of the layers (config → content, crm →
booking → accounts → common): the client's address and rate limits (`http`), background
tasks with retries (`tasks`), languages in URLs (`i18n`), date formats (`formats`) and
prices in roubles (`money`). It imports no app of the project."""
