"""The reporting wing: ``insights report FILE`` and its Python API.

``build``
    :func:`build_report` (export in, HTML report out) and :class:`ReportError`;
``inputs``
    the work folder between the command and the notebook (light: pandas only);
``analyses``
    the analyses and the wording the template notebooks call;
``document``
    the document: formatted tables, the cover, the self-contained page, escaped snippets and
    spreadsheet-safe exports;
``pdf``
    the page printed to PDF by headless Chromium;
``cli``
    the ``insights`` command: argument parsing over :func:`build_report`;
``templates/``
    package data: ``client-report.ipynb`` (files with engagement), ``roster-report.ipynb``
    (followers only, or revenue without engagement) and ``report.css``.
"""

from insights.reporting.build import ReportError, build_report

__all__ = ["ReportError", "build_report"]
