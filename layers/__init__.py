"""What claimmap publishes: GIS vector layers and HTML maps."""
