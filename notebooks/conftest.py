"""pytest configuration for nbval runs over the committed notebooks.

The notebooks are validated strictly (``--nbval``): every output that is not tagged
``nbval-ignore-output`` is compared with the stored one, stderr included. Nothing is relaxed
here; this file only keeps notebooks that are not references out of the run, whatever the
command line says.
"""

# Parameterised templates are committed unexecuted; _scratch/ holds exploration (gitignored).
collect_ignore = ["templates", "_scratch"]
