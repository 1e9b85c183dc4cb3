"""The reporting wing: ``insights report FILE`` and its Python API.

``build``
    :func:`build_report` (export in, HTML report out) and :class:`ReportError`;
``analyses``
    the analyses and the wording the template notebook calls;
``document``
    escaped HTML snippets, number formatting and spreadsheet-safe exports;
``cli``
    the ``insights`` command: argument parsing over :func:`build_report`;
``templates/client-report.ipynb``
    the template notebook, shipped as package data.
"""

from insights.reporting.build import ReportError, build_report

__all__ = ["ReportError", "build_report"]
