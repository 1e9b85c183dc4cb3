"""Tooling for the research notebooks: executing, rendering and the hygiene rules.

``notebooks``
    execute notebooks, render them to HTML, write the findings index, regenerate the nbval
    references (``make report``, ``make notebooks``);
``hygiene``
    the rules every committed notebook follows (execution order, literal parameters, ...).
"""
