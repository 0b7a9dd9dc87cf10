"""Development and test servers that stand in for third parties: the YooKassa API v3
emulator (`devservers.yookassa`, management command `yookassa_emulator`) and a fake SMS.ru
(`devservers.smsru`).

A Django app installed only by the development and test settings: production never
installs nor imports it (tests/config/test_devservers.py checks), and nothing in the apps
imports it; only tests, bench/ and development tooling do.
"""
