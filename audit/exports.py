"""CSV exports that leave a row in the audit log."""

from lib.csv import CsvExportMixin

from .models import AuditAction
from .services import audit_record


class AuditedCsvExportMixin(CsvExportMixin):
    """``lib.csv.CsvExportMixin`` that records who exported what, with the filters used."""

    def create_export(self, export_format):
        response = super().create_export(export_format)
        query = {
            key: self.request.GET.getlist(key)
            for key in self.request.GET
            if key != self.export_trigger_param
        }
        audit_record(
            action=AuditAction.EXPORT,
            target_label=self.export_name,
            request=self.request,
            export=self.export_name,
            format=export_format,
            query=query,
        )
        return response
