"""Helpers every app needs: no models, no domain rules, no imports of the apps.

- ``lib.urls``: absolute addresses for links in emails;
- ``lib.forms``: putting a service's ``ValidationError`` onto a form;
- ``lib.formatting``: durations and instants as people read them;
- ``lib.mail``: composing a plain-text email from a template.
"""
