"""The analyst's API for JupyterLab: ``api`` (``evalkit.load``, ``evalkit.results``) and
``explore`` (the summaries behind ``notebooks/explore.ipynb``)."""
