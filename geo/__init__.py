"""claimmap's domain engine: data, gazetteer, claims and their analysis."""
