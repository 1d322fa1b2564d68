"""Evidence that outlives its link: captured sources, watched links, files from the field."""
