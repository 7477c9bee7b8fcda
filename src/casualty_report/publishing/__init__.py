"""Publishing: running the notebooks for each parameter set and putting the results online.

Planning and fingerprints, the render lock, the pool of warm kernels and its workers, the page
export, the atomic publish and its history, the site's pages, the changes page and the feed,
pruning and watching. It sits above the ledger and the content, which never import it. Nothing
is imported here, so a render with nothing to do loads only what it needs.
"""
