"""SIECLE exports (the national student database's XML files), read safely and purely.

``load_export(paths)`` or ``read_export([(name, bytes), …])`` give a :class:`SiecleExport`;
``core.services.siecle.importer.import_siecle`` applies it to the database as a diff.
Every refusal is a :class:`SiecleError` whose message is one line naming the file.
"""

from core.siecle.errors import SiecleError
from core.siecle.files import Limits, load_export, read_export
from core.siecle.phones import Phone, normalise_phone
from core.siecle.records import SiecleExport
from core.siecle.summary import ImportSummary, KindCounts

__all__ = [
    "ImportSummary",
    "KindCounts",
    "Limits",
    "Phone",
    "SiecleError",
    "SiecleExport",
    "load_export",
    "normalise_phone",
    "read_export",
]
