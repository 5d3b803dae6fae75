"""Sub-commands of the `mesh` command line, one module per command group."""
