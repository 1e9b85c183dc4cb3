"""The ingest wing: raw files in, canonical tables and a cleaning log out.

``registry``
    what data sets exist, their files, checksums, citations and sampling designs; fetching
    (package data and pooch only: it imports nothing else of the library);
``parsing``, ``cleanlog``
    display strings to numbers with a status; the record of every dropped or repaired row;
``recipes``
    one cleaning recipe per registered data set;
``pipeline``
    fetch, clean, conform, validate and write ``data/processed/`` (``make data``);
``datasets``
    what notebooks call: ``load`` and ``cleaning_log`` (building on demand), plus the
    registry's ``names``, ``info``, ``files`` and ``fetch``;
``intake``
    the recipe for an analyst's own, unregistered export.
"""
