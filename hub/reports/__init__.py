"""Reports and data out: history rows by interval, XLSX workbooks, the read-only HTTP API."""
