"""Publishing: the index page (``site``), the tidy results table (``records``) and the scored
Excel workbook (``workbook``)."""
