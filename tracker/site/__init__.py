"""The public site: the pages readers open, and the pure geometry and wording they draw with."""
