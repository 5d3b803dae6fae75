"""The mesh docs portal: one static site for consumers of every domain.

`collect` turns the domains' dbt artifacts, their data-product YAML and the glossary into a
`Portal`; `lineage` lays out the cross-domain lineage graph as SVG; `render` writes the site
(HTML, CSS, a little vanilla JS, `mesh.json`, and each domain's own dbt docs under
`domains/<domain>/`); `serve` serves it on loopback.
"""
