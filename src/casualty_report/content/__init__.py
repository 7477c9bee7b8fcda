"""The report's content: what the notebooks compute, say and draw from a loaded ledger.

Analysis and comparisons (tables of figures), estimates, findings, narrative (the sentences),
readable tables and the codebook of the published columns, the charts (:mod:`.charts`), the
files a notebook writes and the JupyterLab explorer. It reads the ledger layer and the shared
contract, never the publishing steps. Nothing is imported here.
"""
