"""The engineer queue: open tickets for support staff, most urgent SLA deadline first.

- ``selectors``: which tickets it holds, their urgency order, saved views and navigation counts;
- ``filters``: the django-filter ``FilterSet`` of its filter panel;
- ``tables``: the django-tables2 ``Table`` that draws its rows and CSV export;
- ``views`` and ``urls``: the page, in the ``queue`` namespace (``queue:list``).

Who may take a ticket from it is ``tickets.permissions``' answer, as on the ticket page.
"""
