"""The navigation marks the page being shown; the favicon is found without signing in; the
queue counters say what they count."""

import re

from django.urls import reverse


def _current_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def test_the_current_page_is_marked_in_the_navigation(client, org_a):
    client.force_login(org_a.contact)
    assert _current_links(client.get(reverse("tickets:list")).content.decode()) == [
        reverse("tickets:list")
    ]
    assert _current_links(client.get(reverse("tickets:create")).content.decode()) == [
        reverse("tickets:create")
    ]
    assert _current_links(client.get(reverse("home")).content.decode()) == [reverse("home")]


def test_the_favicon_is_served_to_anyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page


def test_the_queue_counters_name_what_they_count(client, engineers):
    client.force_login(engineers["L1"])
    page = client.get(reverse("home")).content.decode()
    assert re.search(r">0 overdue</a>", page)
    assert re.search(r">0 at risk</a>", page)
    assert 'title="Open tickets at L1 whose SLA deadline has passed"' in page
