"""The organisers' web console at /console/ (INTERFACES.md): sign-in, inbox, detail, actions.

Pages call the use cases in services/ and nothing else decides. Security, in one place:
- sessions: Flask-Login over Flask's signed cookie, path /console, HttpOnly, SameSite=Lax,
  Secure when the request came over HTTPS (directly or X-Forwarded-Proto from the proxy),
  idle timeout IDLE (the cookie's signed timestamp is checked on every request and renewed
  by each one);
- CSRF: every POST under /console/ (sign-in included) needs the Flask-WTF token, else 400.
  Only this blueprint is checked: the WeChat webhook posts without one;
- sign-in throttling and audit: services.accounts.sign_in (429 when throttled);
- headers: a strict Content-Security-Policy (no inline script or style, nothing from another
  origin), X-Frame-Options DENY, no caching of pages;
- Jinja autoescape on every template; pages show pseudonyms, never openids.
"""
