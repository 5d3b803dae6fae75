"""Publishing the mesh to Amazon DataZone: glossary, form types, assets, listings, data products
and lineage, from desired state to plan to apply."""
