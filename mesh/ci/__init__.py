"""What CI runs on a pull request and on a merge: slim builds, breaking-change reports and the
artifact store that production manifests live in."""
