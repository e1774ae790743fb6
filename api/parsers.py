"""Request bodies with caps of their own: JSON up to ``API_JSON_MAX_BYTES``; multipart (files)
within ``REQUEST_MAX_BYTES`` and the attachment limits the pages apply."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from rest_framework.parsers import JSONParser, MultiPartParser

from .problems import Problem


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_JSON_MAX_BYTES
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            length = 0
        if length > limit:
            raise Problem(
                413,
                "too_large",
                f"JSON bodies may be at most {filesizeformat(limit)}; send files as "
                "multipart/form-data.",
            )
        return super().parse(stream, media_type, parser_context)


class FilesParser(MultiPartParser):
    """multipart/form-data, for requests that carry attachments."""
