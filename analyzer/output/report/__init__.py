"""HTML reports: self-contained pages that draw the tables, compute nothing."""
