"""The SIECLE import: an export applied as a diff, table by table, and the watched folder."""
