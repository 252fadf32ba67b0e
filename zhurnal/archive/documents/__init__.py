"""The documents of the archival packages: what a closed year leaves behind, as PDF/A for
people and as JSON and CSV for machines."""
