"""The forms a page offers, read from its HTML: where each posts (or gets) to, and its fields
with the values the page proposes (options, hidden values)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str  # path
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def has_files(self) -> bool:
        return any(f.kind == "file" for f in self.fields.values())


class _Parser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def _add(self, name: str | None, kind: str, value: str | None = None) -> Field | None:
        if self._form is None or not name or name == "csrfmiddlewaretoken":
            return None
        entry = self._form.fields.setdefault(name, Field(name, kind))
        if value is not None and value not in entry.options:
            entry.options.append(value)
        return entry

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_path, attrs.get("action") or self.page_path)
            self._form = Form((attrs.get("method") or "get").lower(), urlparse(action).path)
            self.forms.append(self._form)
        elif tag == "input":
            self._add(attrs.get("name"), (attrs.get("type") or "text").lower(), attrs.get("value"))
        elif tag == "textarea":
            self._add(attrs.get("name"), "textarea")
        elif tag == "select":
            self._select = self._add(attrs.get("name"), "select")
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if value not in self._select.options:
                self._select.options.append(value)
        elif tag == "button" and attrs.get("name"):
            self._add(attrs.get("name"), "button", attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(html: str, page_path: str) -> list[Form]:
    parser = _Parser(page_path)
    parser.feed(html)
    return parser.forms
