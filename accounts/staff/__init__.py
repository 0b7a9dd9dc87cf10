"""Staff sign-in security: two-factor sign-in (django-otp TOTP), staff sessions that end
after inactivity, and the audit of sign-ins, sign-outs and role changes.

- `two_factor`: who must and who may use a second factor, and the code throttle.
- `middleware`: `StaffIdleTimeoutMiddleware`, `StaffTwoFactorMiddleware` (both after
  Django's AuthenticationMiddleware and MessageMiddleware, and after django-otp's
  OTPMiddleware).
- `views` and `urls`: enrolment (a QR code to scan) and verification, under
  /admin/two-factor/.
- `audit`: the receivers writing Wagtail audit entries (`connect()` from accounts.apps).
"""
