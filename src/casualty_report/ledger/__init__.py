"""The claims ledger: its files, schema, checks, text rules and controlled vocabulary.

Reading a dataset folder into validated pandas frames (:func:`casualty_report.ledger.load.load_ledger`)
is this layer's whole job. It imports only the shared contract at the package root, never the
report's content or the publishing steps. Nothing is imported here, so a module that needs only
the vocabulary does not load pandas.
"""
